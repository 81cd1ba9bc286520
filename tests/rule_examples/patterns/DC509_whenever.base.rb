# path: config/schedule.rb
set :output, "log/cron.log"

every 4.hours do
  rake "db2fog:backup"
end

every 1.day, at: "4:30 am" do
  runner "OrderCycle.close_all!"
end

every :hour do
  rake "feeds:refresh"
end
