# path: app/jobs/archive_job.rb
class ArchiveJob < ApplicationJob  # error: DC701  # error: DC161
  def perform(id)  # error: DC701  # ok: DC703
    Archive.create!(record_id: id)  # error: DC261
  end
end
