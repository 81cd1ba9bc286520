# path: app/models/account.rb
class Account < ApplicationRecord
  def debit!(amount)
    update!(balance: balance - amount)  # error: DC351
  end
end
