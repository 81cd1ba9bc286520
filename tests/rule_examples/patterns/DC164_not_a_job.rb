# path: app/models/task_list.rb
class TaskList < ApplicationRecord
  def queue_as(name)  # ok: DC164
    update!(queue: name)
  end
end
