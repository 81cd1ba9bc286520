# path: app/workers/sync_worker.rb
class SyncWorker
  include Sidekiq::Worker

  def perform(account_id, options = {})
    Account.find(account_id).sync(options)
  end
end
