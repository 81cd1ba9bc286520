class Post < ApplicationRecord
  def schedule_publication
    update!(state: :scheduled)
  end
end
