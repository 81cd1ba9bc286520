class RenewalReminderJob < ApplicationJob
  queue_as :mailers

  def perform(subscription_id)
    subscription = Subscription.find(subscription_id)
    owner = subscription.account_owner
    BillingMailer.renewal_reminder(owner, subscription.renews_on).deliver_now
  end
end
