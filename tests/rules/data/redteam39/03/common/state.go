package cache

import "sync"

type Cache struct {
	mu      sync.RWMutex
	entries map[string][]byte
	limit   int
}

func (c *Cache) Limit() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.limit
}

func (c *Cache) SetLimit(n int) {
	c.mu.Lock()
	c.limit = n
	c.mu.Unlock()
}
