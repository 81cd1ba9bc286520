# path: app/services/pay_order.rb
class PayOrder
  def call(order)  # error: DC715
    ActiveRecord::Base.transaction do  # error: DC251
      order.update!(status: "paid")
      ReceiptJob.perform_async(order.id)  # error: DC708  # error: DC163
      order.after_commit { ShipJob.perform_later(order.id) }  # ok: DC708  # error: DC163, DC251
    end
    AuditJob.perform_later(order.id)  # ok: DC708  # error: DC163
  end

  def refund(order)  # error: DC715
    order.with_lock do  # error: DC251
      order.update!(status: "refunded")
      RefundMailer.with(order: order).refunded.deliver_later  # error: DC708
    end
  end
end
