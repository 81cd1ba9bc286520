# path: app/jobs/history_job.rb
class HistoryJob
  include Sidekiq::Job

  def initialize(days, start = nil)  # error: DC701[info] (`pool:` was never read)
    @days = days
    @start = start
  end

  def perform(id)  # error: DC701[warning] (`pool:` was read)  # error: DC165
    Stats.for(id, pool: pool)
  end

  def retry_later(id)  # error: DC701[warning] (a bare `super` forwarded `queue:`)
    super
  end
end
