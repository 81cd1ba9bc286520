# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }  # ok: DC168 (the connection, not how jobs run)
  config.concurrency = 10  # error: DC718 (DC168 leaves concurrency to it)
  config.average_scheduled_poll_interval = 15
  config.queues = %w[critical default low]  # error: DC168
end
