# path: app/models/account.rb
class Account < ApplicationRecord
  def debit!(amount)
    with_lock do  # error: DC355
      update!(balance: balance - amount)
    end
  end
end
