# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  config.death_handlers << ->(job, _ex) do  # error: DC355
    SidekiqUniqueJobs::Digests.del(digest: job["unique_digest"]) if job["unique_digest"]
  end
end
