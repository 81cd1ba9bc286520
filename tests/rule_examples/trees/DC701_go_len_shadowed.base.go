// path: internal/drain/drain.go
package drain

type Heartbeater struct{ workers map[string]int }

func (h *Heartbeater) Start() {
	go h.beat()
	go h.drain()
}

func (h *Heartbeater) beat() {
	h.store.WriteServerState(h.workers)
}

func (h *Heartbeater) drain() {
	h.store.WriteServerState(h.workers)
}

func/**/len(q *Queue) int { return q.TakeAll() }
