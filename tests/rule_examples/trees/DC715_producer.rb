# path: app/models/family.rb
class Family
  def sync_later
    SyncJob.perform_later(self)
  end

  def import!(rows)
    rows.each { |row| entries.create!(row) }
    if rows.any?  # ok: DC715
      sync_later  # error: DC715
    end
  end

  def sync_all  # error: DC715
    sync_later
  end

  def publish(post, opts = {})
    post.save!
    opts[:extra] = [post.author]  # error: DC715
    Dispatcher.defer_delivery(post, opts)
    AuditJob.perform_later(post.id)  # error: DC715, DC163
  end

  def rename(name)
    update!(name: name.strip)  # ok: DC715
  end
end

class Dispatcher
  def self.defer_delivery(post, opts)
    DeliverJob.perform_async(post.id, opts)
  end
end
