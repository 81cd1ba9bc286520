class Subscription < ApplicationRecord
  belongs_to :user

  after_create_commit :send_welcome

  def send_welcome
    SubscriptionMailer.welcome(id).deliver_now
  end
end
