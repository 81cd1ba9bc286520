# path: db/migrate/20260101000000_drop_legacy.rb
class DropLegacy < ActiveRecord::Migration[7.1]
  def change
    add_column :orders, :state, :string  # ok: DC452
    remove_column :orders, :legacy_status, :string  # error: DC452
    rename_column :orders, :total, :total_cents  # error: DC452
    execute "UPDATE orders SET state = 'new'"  # error: DC453
    drop_table :coupons  # error: DC452
    create_table :audits  # ok: DC452
  end
end
