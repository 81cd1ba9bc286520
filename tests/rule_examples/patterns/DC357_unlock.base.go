// path: internal/cache/cache.go
package cache

import "sync"

type Cache struct {
	mu    sync.Mutex
	items map[string]string
}

func (c *Cache) Put(k, v string) {
	c.mu.Lock()  // error: DC357
	defer c.mu.Unlock()  // ok: DC357
	c.items[k] = v
}
