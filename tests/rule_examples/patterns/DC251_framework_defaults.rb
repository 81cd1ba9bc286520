# path: config/application.rb
# Rails' framework defaults decide when commit callbacks run, whether a `return` inside a
# transaction commits it and whether jobs enqueued inside one wait for the commit
# (vita-min's move to the 7.1 defaults): the switch is flagged on its line.
module VitaMin
  class Application < Rails::Application
    config.load_defaults 7.1 # error: DC251
    config.active_record.commit_transaction_on_non_local_return = false # error: DC251
    config.load_defaults 8.0 # ok: DC251
    config.time_zone = "Pacific Time (US & Canada)" # ok: DC251
    config.active_job.queue_adapter = :delayed_job # ok: DC251 # error: DC527
  end
end
