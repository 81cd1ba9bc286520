# path: db/migrate/20260401000000_drop_codes.rb
class DropCodes < ActiveRecord::Migration[7.1]
  def down = add_column(:users, :code, :string)
  def up = remove_column(:users, :code)  # error: DC452
end
