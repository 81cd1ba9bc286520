class Integration < ApplicationRecord
  store_accessor :settings, :poll_delay

  def poll_interval
    settings.delay.to_i.clamp(30, 3600)
  end

  def sync!
    SyncJob.set(wait: poll_interval.seconds).perform_later(id)
  end
end
