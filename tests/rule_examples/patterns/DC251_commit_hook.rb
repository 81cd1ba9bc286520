# path: app/models/concerns/closing_reminder.rb
# When a hand-off runs against its transaction (coursemology's reminder jobs): a commit hook
# added or swapped is flagged on its line.
module ClosingReminder
  extend ActiveSupport::Concern

  included do
    after_commit :schedule_reminder, on: :create # error: DC251
  end

  def schedule_reminder # error: DC715
    ActiveRecord.after_all_transactions_commit do # error: DC251
      ReminderJob.set(wait_until: end_at).perform_later(self) # error: DC163
    end
  end

  def committed_at_label # ok: DC251
    "closed"
  end
end
