# path: app/jobs/collection_counter_job.rb
class CollectionCounterJob < ApplicationJob  # error: DC161, DC701
  def perform(id)  # error: DC701
    collection = Collection.find(id)
    collection.update!(models_count: collection.models_count.to_i + 1)  # error: DC351, DC261
    collection.update!(views: (collection.views || 0) + 1)  # error: DC351, DC261
    collection.update!(models_count: collection.models.count)  # ok: DC351 (a recount)  # error: DC261
  end
end
