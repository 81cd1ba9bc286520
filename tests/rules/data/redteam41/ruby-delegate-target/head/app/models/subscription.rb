class Subscription < ApplicationRecord
  belongs_to :account

  delegate :email, to: :account_owner, prefix: :owner
end
