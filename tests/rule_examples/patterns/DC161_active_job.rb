# path: app/jobs/reserve_stock_job.rb
class ReserveStockJob < ApplicationJob  # error: DC161  # error: DC701
  queue_as :default

  def perform(product_id, qty)  # error: DC701
    Product.update_counters(product_id, stock: -qty)  # error: DC251, DC261
    product = Product.find(product_id)
    product.with_lock do  # error: DC251
      product.update!(stock: product.stock - qty)  # error: DC261  # ok: DC351
    end
  end
end
