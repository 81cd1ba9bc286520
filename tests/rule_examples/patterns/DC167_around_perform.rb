# path: lib/active_job_request_store_reset.rb
module ActiveJobRequestStoreReset
  extend ActiveSupport::Concern

  included do
    around_perform do |_job, block|  # error: DC167
      block.call
    ensure
      RequestStore.clear!  # error: DC264
    end
  end

  def self.around_performance_note = "not a callback"  # ok: DC167
end
