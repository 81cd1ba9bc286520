# path: app/jobs/insight_job.rb
class InsightJob < ApplicationJob
  def perform(id)
    Insight.where(id: id).update_all("runs_count = runs_count + 1")  # error: DC355[high]
    Insight.where(id: id).update_all(["failures = failures - ?", 1])
  end
end
