class SyncJob < ApplicationJob
  def perform(integration_id)
    Integration.find(integration_id).sync!
  end
end
