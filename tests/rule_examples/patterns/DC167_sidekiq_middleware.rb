# path: config/initializers/sidekiq.rb
Sidekiq.configure_server do |config|
  config.server_middleware do |chain|
    chain.add TenantMiddleware  # error: DC167
  end
end
