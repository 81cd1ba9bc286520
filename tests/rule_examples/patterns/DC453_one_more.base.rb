# path: db/migrate/20250101000000_backfill_orders.rb
class BackfillOrders < ActiveRecord::Migration[7.1]
  def change
    execute "UPDATE orders SET state = 'new' WHERE state IS NULL"
  end
end
