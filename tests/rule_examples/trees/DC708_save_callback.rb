# path: app/models/concerns/state_change_tracking.rb
module StateChangeTracking
  extend ActiveSupport::Concern

  included do
    after_update :enqueue_state_change_tracking
    after_update_commit :notify_watchers  # error: DC251
    after_save { TouchJob.perform_later(id) }  # error: DC708, DC163, DC715
  end

  def enqueue_state_change_tracking  # error: DC715
    StateChangeTrackingJob.perform_later(self, state_previously_was, state)  # error: DC708, DC163
  end

  def notify_watchers  # error: DC715
    WatchersJob.perform_later(id)  # ok: DC708  # error: DC163
  end
end
