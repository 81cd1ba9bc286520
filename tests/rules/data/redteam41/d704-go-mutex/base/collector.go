package metrics

import (
	"sync"
	"time"
)

// Collector counts events per name and reports them once a minute.
type Collector struct {
	mu     sync.Mutex
	counts map[string]int
	report func(map[string]int)
}

func NewCollector(report func(map[string]int)) *Collector {
	c := &Collector{counts: map[string]int{}, report: report}
	go c.flushLoop()
	return c
}

// Incr is called from every request handler.
func (c *Collector) Incr(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[name]++
}

func (c *Collector) flushLoop() {
	for range time.Tick(time.Minute) {
		c.mu.Lock()
		snapshot := c.counts
		c.counts = map[string]int{}
		c.mu.Unlock()
		c.report(snapshot)
	}
}
