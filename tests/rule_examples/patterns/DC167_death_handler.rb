# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  Sidekiq::Status.configure_server_middleware config, expiration: 5.minutes  # error: DC167
  config.death_handlers << ->(job, _ex) do  # error: DC167
    SidekiqUniqueJobs::Digests.del(digest: job["unique_digest"]) if job["unique_digest"]
  end
end
