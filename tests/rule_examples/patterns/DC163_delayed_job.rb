# path: app/services/listings/notifier.rb
class Listings::Notifier
  def notify(listing)  # error: DC715 (a new method that enqueues)
    Delayed::Job.enqueue(NotifyFollowersJob.new(listing.id), priority: 12)  # error: DC163[info]
    FollowerMailer.delay(queue: "mail").digest(listing.id)  # error: DC163[info]
    wait(settings.delay)  # ok: DC163 (a setting named delay)
  end
end
