# path: app/models/vote.rb
# A uniqueness validation and no schema file that shows a unique index behind it
# (tests/rules/test_apps_n_readings.py reads db/schema.rb and db/structure.sql).
class Vote < ApplicationRecord
  belongs_to :voter
  belongs_to :project
  validates :voter_id, uniqueness: { scope: :project_id }  # error: DC166
  validates :score, presence: true  # ok: DC166
end
