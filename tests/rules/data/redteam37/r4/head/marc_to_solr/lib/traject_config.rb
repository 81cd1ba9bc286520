settings do
  store 'solr.url', ENV['SOLR_URL']
  store 'solr_writer.max_skipped', 50
  store 'solr_writer.thread_pool', 3
  store 'processing_thread_pool', 8
  store 'marc_source.type', 'xml'
end
