class Post < ApplicationRecord
  def schedule_publication
    update!(state: :scheduled)
    PublishPostJob.perform_later(id, run_at: publish_at)
  end
end
