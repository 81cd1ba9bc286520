class Invoice < ApplicationRecord
  belongs_to :customer

  delegate :name, to: :customer, prefix: true
end
