# path: app/models/account.rb
class Account < ApplicationRecord
  def self.reserve(id, amount)
    transaction do  # error: DC251
      account = lock(true).find(id)  # error: DC251
      account.update!(balance: account.balance - amount)
    end
  end

  def self.claim_next
    lock("FOR UPDATE SKIP LOCKED").where(claimed: false).first  # error: DC251
  end

  def self.refresh(id)
    lock.find_by(id: id)  # error: DC251
  end

  def self.sweep(key)
    unlock(key)  # ok: DC251
    blocklock(true)  # ok: DC251
    lock_version  # ok: DC251
    clock.first  # ok: DC251
  end
end
