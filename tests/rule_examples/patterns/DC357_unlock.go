// path: internal/cache/cache.go
package cache

import "sync"

type Cache struct {
	mu    sync.Mutex
	items map[string]string
}

func (c *Cache) Put(k, v string) {
	c.items[k] = v
}
