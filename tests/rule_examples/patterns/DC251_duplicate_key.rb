# path: app/models/runner.rb
class Runner < ApplicationRecord
  def self.for(contributor, environment)
    find_by(contributor:, environment:) || create!(contributor:, environment:)
  rescue ActiveRecord::RecordNotUnique  # error: DC251
    retry
  rescue PG::UniqueViolation => e  # error: DC251
    raise Error, e.message
  rescue ActiveRecord::RecordInvalid => e  # ok: DC251
    raise Error, e.message
  end
end
