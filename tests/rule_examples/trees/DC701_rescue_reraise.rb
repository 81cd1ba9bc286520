# path: app/jobs/import_job.rb
class ImportJob
  include Sidekiq::Job

  def perform(id)
    Import.find(id).run!
  rescue ActiveRecord::RecordNotFound => e  # error: DC701[info] (logs and raises what it rescued)
    logger.warn("import #{id} is gone: #{e.message}")
    raise
  end

  def retry_later(id)
    Import.find(id).requeue!
  rescue ActiveRecord::RecordNotFound => e  # error: DC701[warning] (raises another error)
    raise ImportGone, e.message
  end
end
