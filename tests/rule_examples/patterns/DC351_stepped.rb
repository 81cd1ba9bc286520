# path: app/jobs/step_job.rb
class StepJob < ApplicationJob
  def perform(id)  # error: DC701
    collection = Collection.find(id)
    collection.update!(revision: collection.revision.to_i.succ)  # error: DC351, DC261
  end
end
