# path: db/migrate/20260102000000_backfill.rb
class Backfill < ActiveRecord::Migration[7.1]
  def up
    execute "UPDATE orders SET state = 'new'"  # ok: DC453
  end

  def down
    execute "UPDATE orders SET state = NULL"  # ok: DC453
  end
end
