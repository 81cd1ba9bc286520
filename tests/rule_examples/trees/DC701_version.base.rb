# path: lib/acme_jobs/version.rb
# frozen_string_literal: true

module AcmeJobs
  class ReportJob
    include Sidekiq::Job

    VERSION = "8.1.0"

    def perform(id)
      Report.find(id).build!
    end
  end

  class ExportJob
    include Sidekiq::Job

    API_VERSION = "v2"

    def perform(id)
      Export.find(id).push!(API_VERSION)
    end
  end
end
