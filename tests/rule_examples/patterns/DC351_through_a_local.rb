# path: app/models/insight.rb
class Insight < ApplicationRecord
  def record_run
    insight = Insight.find(id)
    runs = insight.runs_count
    insight.update(runs_count: runs + 1)  # error: DC351
  end

  def record_failure(job)
    failures = job.failures_count
    job.failures_count = failures + 1  # error: DC351
    job.save!
  end

  def record_view
    Insight.where(id: id).update_all("views_count = views_count + 1")  # error: DC251
  end

  def record_converted(insight)
    runs = insight.runs_count.to_i
    insight.update(runs_count: runs + 1)  # error: DC351
    views = Integer(insight.views_count)
    insight.update(views_count: views + 1)  # error: DC351
    shown = insight.shown_count.to_s
    insight.update(shown_count: shown + "1")  # ok: DC351 (text, not the number)
  end

  def record_total(report, extra)
    total = extra.size
    report.update(total_count: total + 1)  # ok: DC351 (the local is not the field's old value)
  end
end
