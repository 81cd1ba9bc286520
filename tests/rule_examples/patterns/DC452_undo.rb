# path: db/migrate/20260323120000_add_search_vector.rb
class AddSearchVector < ActiveRecord::Migration[7.1]
  def up
    add_column :organizations, :tsv, :tsvector  # ok: DC452
    remove_column :organizations, :legacy_name  # error: DC452
  end

  def down
    remove_column :organizations, :tsv  # ok: DC452
    add_column :organizations, :legacy_name, :string
  end

  def self.down
    drop_table :organization_tags  # ok: DC452
  end
end

class AddTokens < ActiveRecord::Migration[7.1]
  def change
    reversible do |dir|
      dir.up { add_column :users, :token, :string }
      dir.down do
        remove_column :users, :token  # ok: DC452
      end
    end
    rename_column :users, :login, :handle  # error: DC452
  end
end
