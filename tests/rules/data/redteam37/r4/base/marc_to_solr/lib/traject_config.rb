settings do
  store 'solr.url', ENV['SOLR_URL']
  store 'solr_writer.max_skipped', 50
  store 'marc_source.type', 'xml'
end
