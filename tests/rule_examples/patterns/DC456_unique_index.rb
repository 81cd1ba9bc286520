# path: db/migrate/20241030094958_add_uniqueness_index_to_capital_disregards.rb
class AddUniquenessIndexToCapitalDisregards < ActiveRecord::Migration[7.2]
  disable_ddl_transaction!

  def up
    add_index :capital_disregards, [:legal_aid_application_id, :name], unique: true, algorithm: :concurrently  # error: DC456
    add_index :capital_disregards, :created_at, algorithm: :concurrently  # ok: DC456
    change_table :votes do |t|
      t.index [:voter_id, :project_id], unique: true  # error: DC456
    end
  end

  def down
    add_index :capital_disregards, :name, unique: true  # ok: DC456
  end
end
