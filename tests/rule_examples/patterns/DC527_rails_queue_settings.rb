# path: config/initializers/framework_defaults.rb
Rails.application.config.action_mailer.deliver_later_queue_name = nil  # error: DC527 (mails leave the mailers queue)
Rails.application.config.active_storage.queues.purge = :low
Rails.application.config.active_job.retry_jitter = 0.15  # error: DC527
Rails.application.config.active_record.queues.destroy = :low  # ok: DC527 (only this comment differs from the base)
Rails.application.config.active_job.queue_adapter = :delayed_job  # error: DC527
