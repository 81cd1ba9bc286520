# path: db/migrate/20240726181456_add_search_vector_to_users.rb
# A lint pass rewrote an old migration's heredoc: it ran the same `execute` before.
class AddSearchVectorToUsers < ActiveRecord::Migration[7.1]
  def change
    execute <<~SQL  # ok: DC453
      ALTER TABLE users ADD COLUMN search tsvector
    SQL
  end
end
