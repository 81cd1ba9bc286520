# path: app/models/family.rb
class Family
  def sync_later
    SyncJob.perform_later(self)
  end

  def import!(rows)
    rows.each { |row| entries.create!(row) }
    if rows.any?  # ok: DC713
      sync_later  # ok: DC713
    end
  end

  def sync_all  # error: DC713
    sync_later
  end

  def publish(post, opts = {})
    post.save!
    opts[:extra] = [post.author]  # error: DC713
    Dispatcher.defer_delivery(post, opts)
    AuditJob.perform_later(post.id)  # error: DC713, DC163
  end

  def rename(name)
    update!(name: name.strip)  # ok: DC713
  end
end

class Dispatcher
  def self.defer_delivery(post, opts)
    DeliverJob.perform_async(post.id, opts)
  end
end
