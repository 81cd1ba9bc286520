Devise.setup do |config|
  config.mailer_sender = "no-reply@example.org"
  require "devise/orm/active_record"
  config.case_insensitive_keys = [:email]
  config.stretches = Rails.env.test? ? 1 : 12

  # ==> Configuration for :lockable
  # config.lock_strategy = :failed_attempts
  # config.unlock_strategy = :both
  # config.maximum_attempts = 20
  # config.unlock_in = 1.hour
end
