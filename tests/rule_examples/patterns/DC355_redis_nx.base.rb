# path: app/services/shipment_claim.rb
class ShipmentClaim
  def claim(order_id)
    REDIS.set("ship:#{order_id}", 1, nx: true, ex: 600)  # error: DC355
  end
end
