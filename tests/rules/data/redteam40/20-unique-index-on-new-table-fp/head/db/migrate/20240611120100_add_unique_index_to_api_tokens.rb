class AddUniqueIndexToApiTokens < ActiveRecord::Migration[7.1]
  def change
    add_index :api_tokens, :digest, unique: true
  end
end
