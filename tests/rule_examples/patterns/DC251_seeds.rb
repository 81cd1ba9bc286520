# path: db/seeds.rb
# Seed data: `rails db:seed` loads it once, in one process, so no job runs beside it.
Organization.find_or_create_by!(handle: "rubygems")  # ok: DC251 (a seed file is loaded once, by one process)
Plan.transaction do  # ok: DC251
  Plan.create!(name: "free")
end
