# path: app/jobs/settle_job.rb
class SettleJob
  include Sidekiq::Job
  # Settles one invoice; safe to retry.  # error: DC701[info]

  def perform(id)
    Invoice.find(id).settle!  # error: DC701
  end
end
