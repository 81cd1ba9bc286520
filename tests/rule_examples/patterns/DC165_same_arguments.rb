# path: app/workers/sync_worker.rb
class SyncWorker
  include Sidekiq::Worker

  def perform(account_id,  # ok: DC165  # error: DC701
              options = {})
    Account.find(account_id).sync!(options)
  end
end
