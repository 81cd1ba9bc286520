// path: internal/heartbeat/heartbeat.go
package heartbeat

type Heartbeater struct{ workers map[string]int }

func (h *Heartbeater) Start() {
	go h.beat()
	go h.drain()
}

// len() and strconv.Itoa only compute the logged value.
func (h *Heartbeater) beat() {
	h.logger.Debugf("heartbeat: %d active workers (%s)", len(h.workers), strconv.Itoa(cap(h.queue)))  // error: DC701[info]
	h.store.WriteServerState(h.workers)
}

// A call that takes from the queue is no logging, whatever it is wrapped in.
func (h *Heartbeater) drain() {
	h.logger.Debugf("drained %d", len(h.queue.TakeAll(h.ctx)))  // error: DC701[warning]
	h.store.WriteServerState(h.workers)
}
