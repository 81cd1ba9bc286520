class Subscription < ApplicationRecord
  belongs_to :user

  after_create_commit :send_welcome

  def send_welcome
    SubscriptionMailer.delay_for(10.minutes).welcome(id)
  end
end
