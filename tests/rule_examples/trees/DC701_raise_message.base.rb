# path: app/jobs/charge_job.rb
class ChargeJob
  include Sidekiq::Job

  def perform(id)
    raise ArgumentError, "no invoice" if id.nil?
    Invoice.find(id).charge!
  end

  def check(id)
    raise ArgumentError, "no invoice" if id.nil?
  end
end
