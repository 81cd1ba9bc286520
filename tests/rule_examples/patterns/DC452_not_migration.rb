# path: lib/tasks/cleanup.rb
def cleanup(connection)
  connection.drop_table :tmp_reports  # ok: DC452
end
