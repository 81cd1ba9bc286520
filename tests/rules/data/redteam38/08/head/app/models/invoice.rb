class Invoice < ApplicationRecord
  belongs_to :account

  def finalize!
    update!(state: :finalized, finalized_at: Time.current)
    send_receipt
  end

  def send_receipt
    InvoiceMailer.receipt(self).deliver_now
    update_column(:receipt_sent_at, Time.current)
  end
  handle_asynchronously :send_receipt, priority: 5
end
