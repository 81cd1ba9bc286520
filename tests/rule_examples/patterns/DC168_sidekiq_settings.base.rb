# path: config/initializers/sidekiq.rb
Sidekiq.strict_args!  # error: DC168

Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  config.concurrency = 5
  config.average_scheduled_poll_interval = 15
end
