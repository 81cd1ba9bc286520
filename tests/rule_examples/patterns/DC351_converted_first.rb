# path: app/jobs/collection_counter_job.rb
class CollectionCounterJob < ApplicationJob  # error: DC161, DC701
  def perform(id)  # error: DC701
    collection = Collection.find(id)
    collection.update!(models_count: collection.models_count.to_i + 1)  # error: DC351, DC261
    collection.update!(views: (collection.views || 0) + 1)  # error: DC351, DC261
    collection.update!(models_count: collection.models.count)  # ok: DC351 (a recount)  # error: DC261
    collection.update!(models_count: Integer(collection.models_count) + 1)  # error: DC351, DC261
    collection.update!(views: collection.views.to_i.succ)  # error: DC351, DC261
    collection.update!(views: Float(collection.views || 0) * 1.5)  # error: DC351, DC261
    collection.views = collection.views.succ  # error: DC351
    collection.save!  # error: DC261
  end

  def copy(target, source)  # error: DC701
    target.views = source.views.to_i + 1  # ok: DC351 (another object's value)
    target.name = target.name.to_s + "!"  # ok: DC351 (text, not a number)
    target.save!  # error: DC261
  end
end
