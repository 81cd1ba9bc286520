# path: config/initializers/puma_stats.rb
Stats.configure do |config|
  config.concurrency = 10  # ok: DC168 (a file that does not configure Sidekiq)
end
