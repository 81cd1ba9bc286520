# path: app/models/hit_stats.rb
class HitStats
  def reset_counters  # ok: DC355 (the class's own method, no recount)
    @hits = 0
  end

  def self.increment!(stats)  # ok: DC355 (its own method's definition)
    stats.hit
  end

  def hit
    @hits += 1
  end
end
