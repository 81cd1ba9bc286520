# path: app/jobs/subscribe_job.rb
class SubscribeJob < ApplicationJob  # error: DC701  # error: DC161
  def perform(user_id)  # error: DC701
    return if Subscription.exists?(user_id: user_id)
    Subscription.create!(user_id: user_id)  # error: DC705  # error: DC261
  end

  def safe(user_id)  # error: DC701
    Subscription.create_or_find_by!(user_id: user_id)  # ok: DC705  # error: DC251
  end

  def other(user_id)  # error: DC701
    return if Account.exists?(user_id: user_id)
    Subscription.create!(user_id: user_id)  # ok: DC705  # error: DC261
  end
end
