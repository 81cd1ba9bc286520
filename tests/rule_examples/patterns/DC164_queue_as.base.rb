# path: app/jobs/reverse_geocoding_job.rb
class ReverseGeocodingJob < ApplicationJob
  queue_as :reverse_geocoding

  def perform(id)
  end
end

class ExportWorker
  include Sidekiq::Job
  sidekiq_options queue: "exports", retry: 3

  def perform(id)
  end
end
