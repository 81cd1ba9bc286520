# path: app/lib/rate_cache.rb
class RateCache
  def initialize
    @seen = Concurrent::Map.new
    @lock = Mutex.new
    @total = 0
  end

  def hit(key)
    @seen.compute(key) { |n| (n || 0) + 1 }
  end

  def add_count(n)
    @lock.synchronize { @total += n }
  end
end
