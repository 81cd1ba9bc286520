# path: app/jobs/insight_job.rb
class InsightJob < ApplicationJob
  def perform(id)
    insight = Insight.find(id)  # error: DC701
    runs = insight.runs_count
    insight.update(runs_count: runs + 1)  # error: DC351, DC261
    Insight.where(id: id).update_all(["failures = failures - ?", 1])
    Insight.where(id: id).update_all(state: "done")  # error: DC261 # ok: DC251 (no counter: a plain write)
  end
end
