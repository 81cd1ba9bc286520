# path: app/jobs/charge_job.rb
class ChargeJob
  include Sidekiq::Job

  def perform(id)
    raise ArgumentError, "an invoice id is required" if id.nil?  # error: DC701[info] (only the message)
    Invoice.find(id).charge!
  end

  def check(id)
    raise ArgumentError, "no invoice (#{Invoice.release_locks!})" if id.nil?  # error: DC701[warning] (the message runs code)
  end
end
