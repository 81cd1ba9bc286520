# path: app/jobs/reverse_geocoding_job.rb
class ReverseGeocodingJob < ApplicationJob
  queue_as :reverse_geocoding

  def perform(klass, id)
    fetch(klass, id)
  end
end
