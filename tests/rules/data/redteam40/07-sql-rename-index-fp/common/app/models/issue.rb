class Issue < ApplicationRecord
  belongs_to :repo
end
