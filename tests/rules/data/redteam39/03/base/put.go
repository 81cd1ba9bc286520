package cache

// Put inserts value, dropping an entry first when the cache is full.
func (c *Cache) Put(key string, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.Limit() {
		c.evictOneLocked()
	}
	c.entries[key] = value
}

// evictOneLocked drops one entry; c.mu must be held.
func (c *Cache) evictOneLocked() {
	for k := range c.entries {
		delete(c.entries, k)
		return
	}
}
