class Subscription < ApplicationRecord
  belongs_to :account

  delegate :email, to: :account_owner, prefix: :owner

  def account_owner
    account.memberships.find_by!(role: "owner").user
  end
end
