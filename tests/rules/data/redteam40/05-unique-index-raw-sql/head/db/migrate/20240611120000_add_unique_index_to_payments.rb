class AddUniqueIndexToPayments < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def up
    execute <<~SQL
      CREATE UNIQUE INDEX CONCURRENTLY index_payments_on_order_id_and_external_ref
        ON payments (order_id, external_ref)
    SQL
  end

  def down
    execute "DROP INDEX CONCURRENTLY index_payments_on_order_id_and_external_ref"
  end
end
