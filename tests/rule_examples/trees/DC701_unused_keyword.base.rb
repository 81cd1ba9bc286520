# path: app/jobs/history_job.rb
class HistoryJob
  include Sidekiq::Job

  def initialize(days, start = nil, pool: nil)
    @days = days
    @start = start
  end

  def perform(id, pool: nil)
    Stats.for(id, pool: pool)
  end

  def retry_later(id, queue: "default")
    super
  end
end
