# path: app/models/family.rb
class Family
  def sync_later
    SyncJob.perform_later(self)
  end

  def import!(rows)
    rows.each { |row| entries.create!(row) }
    sync_later
  end

  def publish(post, opts = {})
    post.save!
    Dispatcher.defer_delivery(post, opts)
  end

  def rename(name)
    update!(name: name)
  end
end

class Dispatcher
  def self.defer_delivery(post, opts)
    DeliverJob.perform_async(post.id, opts)
  end
end
