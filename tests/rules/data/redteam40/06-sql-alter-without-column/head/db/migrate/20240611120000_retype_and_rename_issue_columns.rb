class RetypeAndRenameIssueColumns < ActiveRecord::Migration[7.1]
  def up
    execute "ALTER TABLE issues ALTER id TYPE bigint"
    execute "ALTER TABLE issues RENAME number TO issue_number"
    execute "ALTER TABLE issues DROP last_touched_at"
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
