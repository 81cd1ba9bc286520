# path: app/jobs/step_job.rb
class StepJob < ApplicationJob
  def perform(id)
    collection = Collection.find(id)  # error: DC701
    collection.update!(revision: collection.revision.to_i.succ)  # error: DC351, DC261
  end
end
