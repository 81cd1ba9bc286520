class RenameIssueIndexes < ActiveRecord::Migration[7.1]
  def up
    execute "ALTER INDEX index_issues_on_repo_id_and_number RENAME TO index_issues_on_repo_and_number"
    execute "ALTER SEQUENCE issues_id_seq RENAME TO issues_id_sequence"
  end

  def down
    execute "ALTER INDEX index_issues_on_repo_and_number RENAME TO index_issues_on_repo_id_and_number"
    execute "ALTER SEQUENCE issues_id_sequence RENAME TO issues_id_seq"
  end
end
