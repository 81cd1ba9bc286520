# path: lib/buffer.rb
class Buffer  # ok: DC161
  def initialize
    @queue = []  # ok: DC162
  end

  def push(item)  # error: DC701[info] (`push` is too common a name to follow: said, not flagged)
    @queue.push(item)
    version = item.lock_version  # ok: DC251
    @count = @count + 1  # ok: DC351
  end
end
