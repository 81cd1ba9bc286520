# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  # Reading the options names no handler that is set.
  config.logger.warn("no error handlers") if config[:error_handlers].empty?  # ok: DC167
  Sidekiq::Status.configure_server_middleware config, expiration: 5.minutes  # error: DC167
  config.death_handlers << ->(job, _ex) do  # error: DC167
    SidekiqUniqueJobs::Digests.del(digest: job["unique_digest"]) if job["unique_digest"]
  end
end
