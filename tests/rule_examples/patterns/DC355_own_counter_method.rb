# path: app/models/hit_stats.rb
class HitStats
  def hit
    @hits += 1
  end
end
