# path: app/jobs/upgrade/backfill_collection_counter_cache.rb
class Upgrade::BackfillCollectionCounterCache < ApplicationJob
  def perform(record)
    collection = Collection.find(record.id)  # error: DC701
    collection.models_count = collection.models.count  # ok: DC351 (a recount, not the old value)
    collection.save!  # error: DC261
  end
end
