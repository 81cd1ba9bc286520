class AddUniqueIndexToPayments < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :payments, [:order_id, :external_ref],
              unique: true,
              algorithm: :concurrently
  end
end
