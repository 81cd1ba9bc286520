# path: app/lib/rate_cache.rb
class RateCache
  def initialize
    @seen = {}  # error: DC704
    @lock = Mutex.new
    @total = 0
  end

  def hit(key)
    @seen[key] = (@seen[key] || 0) + 1  # ok: DC704 (the map's own change is line 4's)
  end

  def add_count(n)
    @total += n  # error: DC704
  end
end
