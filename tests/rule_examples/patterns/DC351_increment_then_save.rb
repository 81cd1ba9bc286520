# path: app/jobs/csv_import_job.rb
class CsvImportJob < ApplicationJob  # error: DC701  # error: DC161
  def perform(organization_id)  # error: DC701
    organization = Organization.find(organization_id)
    organization.increment(:imports_count)  # error: DC351
    organization.save!  # error: DC261
  end

  def count_atomically(organization)  # error: DC701
    organization.increment!(:imports_count)  # ok: DC351 (written at once)  # error: DC251  # error: DC261
  end

  def count_without_saving(report)  # error: DC701
    report.increment(:views)  # ok: DC351 (never saved here)
    report.views
  end
end
