# path: app/jobs/import_job.rb
class ImportJob
  include Sidekiq::Job

  def perform(id)
    Import.find(id).run!
  end

  def retry_later(id)
    Import.find(id).requeue!
  end
end
