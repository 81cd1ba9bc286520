# path: lib/buffer.rb
class Buffer
  def initialize
    @queue = []  # ok: DC162
  end

  def push(item)
    @queue.push(item)
    @count = @count + 1  # ok: DC351
  end
end
