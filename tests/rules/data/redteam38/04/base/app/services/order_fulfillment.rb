class OrderFulfillment
  def initialize(order)
    @order = order
  end

  def ship!(tracking_number)
    @order.update!(state: :shipped, tracking_number: tracking_number, shipped_at: Time.current)
  end
end
