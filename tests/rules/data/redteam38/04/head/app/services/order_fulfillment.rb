class OrderFulfillment
  def initialize(order)
    @order = order
  end

  def ship!(tracking_number)
    @order.update!(
      state: :shipped,
      tracking_number: tracking_number,
      carrier: Carrier.detect(tracking_number),
      shipped_at: Time.current,
      shipped_by: Current.user,
      shipment_count: @order.shipment_count + 1
    )
  end
end
