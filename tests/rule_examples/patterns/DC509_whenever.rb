# path: config/schedule.rb
set :output, "log/cron.log"

every 1.hour do  # error: DC509
  rake "db2fog:backup"
end

every 1.day, at: "4:30 am" do
  runner "OrderCycle.close_all!"
  rake "stock:sync"  # error: DC509
end

# ok: DC509
every :hour do
  rake "feeds:refresh"
end
