class Payment < ApplicationRecord
  belongs_to :order

  def self.record!(order, ref, amount)
    create!(order: order, external_ref: ref, amount: amount)
  end
end
