# path: marc_to_solr/lib/traject_config.rb
settings do
  provide 'solr.url', ENV['SOLR_URL']
  provide 'solr_writer.max_skipped', '50'
  provide 'marc_source.type', 'xml'
end

MAX_RETRIES = 2

def client
  Faraday.new(url: ENV['SOLR_URL'], request: { timeout: 5, retries: 1 })
end

def reset(user)
  user.update!(locked_at: nil)
end

REDIS = ConnectionPool.new(size: 5) { Redis.new }
