# path: app/workers/reserve_stock_worker.rb
class ReserveStockWorker  # error: DC701
  include Sidekiq::Worker  # error: DC160

  # include Sidekiq::Worker  # ok: DC160
  def perform(product_id, qty)  # error: DC701
    product = Product.find(product_id)
    product.update!(stock: product.stock - qty)  # error: DC351, DC261
    Rails.logger.info("perform_async done")  # ok: DC163
  end
end
