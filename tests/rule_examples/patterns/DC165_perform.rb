# path: app/jobs/reverse_geocoding_job.rb
class ReverseGeocodingJob < ApplicationJob
  queue_as :reverse_geocoding

  def perform(klass, id, force: false)  # error: DC165, DC701
    fetch(klass, id, force)
  end
end
