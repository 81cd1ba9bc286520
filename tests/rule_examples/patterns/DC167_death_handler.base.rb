# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  Sidekiq::Status.configure_server_middleware config, expiration: 60.minutes
end
