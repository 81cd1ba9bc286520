# path: app/services/stock.rb
class Stock
  def reserve(product, qty)
    product.update!(stock: product.stock - qty)  # error: DC351
  end
end
