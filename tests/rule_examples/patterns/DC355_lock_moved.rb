# path: app/services/moved.rb
class Moved
  def reserve(product, qty)
    product.with_lock do  # error: DC251
      product.decrement!(:stock, qty)  # error: DC251
    end
  end
end
