# path: app/jobs/step_job.rb
class StepJob < ApplicationJob
  def perform(id)
    Collection.find(id).touch
  end
end
