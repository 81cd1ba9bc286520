# path: config/initializers/framework_defaults.rb
Rails.application.config.action_mailer.deliver_later_queue_name = :mailers
Rails.application.config.active_storage.queues.purge = :low
Rails.application.config.active_job.queue_name_prefix = "shop"  # error: DC527
Rails.application.config.active_record.queues.destroy = :low
