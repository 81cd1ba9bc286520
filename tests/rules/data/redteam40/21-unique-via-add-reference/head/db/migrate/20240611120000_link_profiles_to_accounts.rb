class LinkProfilesToAccounts < ActiveRecord::Migration[7.1]
  def change
    add_reference :profiles, :account, index: { unique: true }, foreign_key: true
    add_index :profiles, :handle, :unique => true
  end
end
