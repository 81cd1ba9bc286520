class Invoice < ApplicationRecord
  belongs_to :customer

  delegate :name, to: :customer, prefix: true

  def name
    "Invoice #{number} for #{customer_name}"
  end
end
