# path: app/jobs/reverse_geocoding_job.rb
class ReverseGeocodingJob < ApplicationJob
  queue_as :highest_priority  # error: DC164, DC701

  def perform(id)
  end
end

class ExportWorker
  include Sidekiq::Job
  sidekiq_options queue: "exports", retry: 5  # ok: DC164  # error: DC701

  def perform(id)
  end
end
