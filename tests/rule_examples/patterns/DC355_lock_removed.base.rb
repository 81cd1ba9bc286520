# path: app/services/stock.rb
class Stock
  def reserve(product, qty)
    product.with_lock do  # error: DC355
      product.update!(stock: product.stock - qty)
    end
  end
end
