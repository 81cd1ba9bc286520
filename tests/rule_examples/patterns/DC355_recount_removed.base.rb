# path: app/jobs/upgrade/backfill_collection_counter_cache.rb
class Upgrade::BackfillCollectionCounterCache < ApplicationJob
  def perform(record)
    Collection.reset_counters(record.id, :models)  # error: DC355[high]
  end
end
