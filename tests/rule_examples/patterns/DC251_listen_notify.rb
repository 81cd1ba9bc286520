# path: lib/extensions/database_event.rb
# Postgres LISTEN/NOTIFY: a job waits on one connection for another process's signal.
module DatabaseEvent
  def wait(identifier, timeout)
    with_connection do |conn|
      conn.execute("LISTEN #{identifier};") # error: DC251
      conn.raw_connection.wait_for_notify(timeout) # error: DC251
    ensure
      conn.execute("UNLISTEN #{identifier};") # error: DC251
    end
  end

  def signal(identifier)
    connection.execute("SELECT pg_notify('#{identifier}', '')") # error: DC251
  end

  def listening_label # ok: DC251
    "Listen for updates" # ok: DC251
  end
end
