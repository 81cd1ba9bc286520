# path: spec/workers/reserve_stock_worker_spec.rb
class FakeWorker
  include Sidekiq::Worker  # ok: DC160
  def perform(product)
    product.update!(stock: product.stock - 1)  # ok: DC351, DC261
  end
end
