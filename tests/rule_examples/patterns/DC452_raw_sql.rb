# path: db/migrate/20260202160000_change_issues_id_to_bigint.rb
class ChangeIssuesIdToBigint < ActiveRecord::Migration[7.0]
  disable_ddl_transaction!

  def up
    execute "ALTER TABLE issues ALTER COLUMN id TYPE bigint"  # error: DC452
    execute "ALTER SEQUENCE issues_id_seq AS bigint"  # ok: DC452
    execute <<~SQL
      ALTER TABLE issue_assignments
        DROP COLUMN legacy_issue_id  # error: DC452
    SQL
    execute "CREATE INDEX CONCURRENTLY idx_issues_repo ON issues (repo_id)"  # ok: DC452
  end

  def down
    execute "ALTER TABLE issues ALTER COLUMN id TYPE integer"  # ok: DC452
  end
end
