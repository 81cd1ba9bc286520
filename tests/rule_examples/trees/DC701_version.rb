# path: lib/acme_jobs/version.rb
# frozen_string_literal: true

module AcmeJobs
  class ReportJob
    include Sidekiq::Job

    VERSION = "8.1.1"  # error: DC701[info] (a version number)

    def perform(id)
      Report.find(id).build!
    end
  end

  class ExportJob
    include Sidekiq::Job

    API_VERSION = "v3"  # error: DC701[warning] (not a version number: another API is called)

    def perform(id)
      Export.find(id).push!(API_VERSION)
    end
  end
end
