# path: db/migrate/20250101000000_backfill_orders.rb
# An old migration's `change` now runs one more statement that cannot be undone.
class BackfillOrders < ActiveRecord::Migration[7.1]
  def change
    execute "UPDATE orders SET state = 'new' WHERE state IS NULL"
    execute "DELETE FROM orders WHERE total IS NULL"  # error: DC453
  end
end
