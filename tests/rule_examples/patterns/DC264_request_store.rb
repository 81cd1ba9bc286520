# path: app/models/site.rb
class Site < ApplicationRecord
  def self.instance
    RequestStore.fetch(:site_instance) do  # error: DC264
      first_or_create  # ok: DC264
    end
  end

  def self.locale
    Thread.current[:locale] ||= "en"  # error: DC264
  end

  def self.reset!
    Current.reset  # ok: DC264
  end
end

module Runner
  def clone_sentry_hub
    Thread.current.thread_variable_set(Sentry::THREAD_LOCAL, Sentry.get_current_hub.clone)  # ok: DC264
    Thread.current[:tenant_id] = tenant.id  # error: DC264
  end
end
