# path: db/migrate/20241030090000_create_capital_disregards.rb
class CreateCapitalDisregards < ActiveRecord::Migration[7.2]
  def change
    create_table :capital_disregards do |t|
      t.string :name
    end
    add_index :capital_disregards, :name, unique: true  # ok: DC456
  end
end
