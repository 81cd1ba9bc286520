// path: internal/drain/drain.go
package drain

type Heartbeater struct{ workers map[string]int }

func (h *Heartbeater) Start() {
	go h.beat()
	go h.drain()
}

// The package declares its own len(), which drains the queue: not the built-in.
func (h *Heartbeater) beat() {
	h.logger.Debugf("%d queued", len(h.queue))  // error: DC701[warning]
	h.store.WriteServerState(h.workers)
}

func (h *Heartbeater) drain() {
	h.store.WriteServerState(h.workers)
}

func/**/len(q *Queue) int { return q.TakeAll() }
