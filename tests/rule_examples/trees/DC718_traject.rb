# path: marc_to_solr/lib/traject_config.rb
settings do
  provide 'solr.url', ENV['SOLR_URL']
  provide 'solr_writer.max_skipped', '50'
  provide 'solr_writer.thread_pool', 3  # error: DC718
  provide 'solr_writer.batch_size', 100  # ok: DC718 (not a retry or concurrency setting)
  provide 'marc_source.type', 'xml'
end

MAX_RETRIES = 4  # error: DC718

def client
  Faraday.new(url: ENV['SOLR_URL'], request: { timeout: 5, retries: 3 })  # error: DC718
end

def login_policy
  { max_login_attempts: 5 }  # ok: DC718 (a person's attempts, not work's)
end

def reset(user)
  user.update!(failed_attempts: 0, retries: 0)  # ok: DC718 (a pair added is a record's attribute as often as a setting)
end

REDIS = ConnectionPool.new(size: 25) { Redis.new }  # error: DC718
