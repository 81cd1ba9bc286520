# path: app/jobs/settle_job.rb
class SettleJob
  include Sidekiq::Job
  # Settles one invoice.

  def perform(id)
    Invoice.find(id).settle
  end
end
