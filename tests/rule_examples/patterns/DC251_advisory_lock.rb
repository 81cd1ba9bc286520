# path: app/models/counter.rb
class Counter < ApplicationRecord
  def self.bump!
    connection.execute("SELECT pg_advisory_xact_lock(42)")  # error: DC251
  end
end
