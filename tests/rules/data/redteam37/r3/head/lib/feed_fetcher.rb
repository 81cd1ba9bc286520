require "concurrent"
require "connection_pool"

class FeedFetcher
  REDIS = ConnectionPool.new(size: 25, timeout: 3) { Redis.new }

  def initialize
    @executor = Concurrent::FixedThreadPool.new(8)
  end

  def fetch_all(feeds)
    feeds.each do |feed|
      @executor.post { fetch(feed) }
    end
  end

  def fetch(feed)
    REDIS.with { |r| r.set("feed:#{feed.id}", feed.body) }
  end
end
