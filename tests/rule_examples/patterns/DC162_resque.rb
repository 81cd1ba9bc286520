# path: app/jobs/archive.rb
class Archive  # error: DC701
  @queue = :file_serve  # error: DC162

  def self.perform(repo_id)  # error: DC701
    Repository.find(repo_id).archive!
  end
end

class Enqueuer
  def call(id)  # error: DC715
    Resque.enqueue(Archive, id)  # error: DC163
    ArchiveWorker.perform_in(300, id)  # error: DC163
    OrderMailer.receipt(id).deliver_later  # ok: DC163
  end
end
