# path: db/migrate/20240726181456_add_search_vector_to_users.rb
class AddSearchVectorToUsers < ActiveRecord::Migration[7.1]
  def change
    execute <<-SQL
      ALTER TABLE users ADD COLUMN search tsvector
    SQL
  end
end
