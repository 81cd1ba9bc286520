// path: internal/heartbeat/heartbeat.go
package heartbeat

type Heartbeater struct{ workers map[string]int }

func (h *Heartbeater) Start() {
	go h.beat()
	go h.drain()
}

// The built-ins len() and cap() only compute the logged values.
func (h *Heartbeater) beat() {
	h.logger.Debugf("heartbeat: %d active workers, room for %d", len(h.workers), cap(h.queue))  // error: DC701[info]
	h.store.WriteServerState(h.workers)
}

// A call that takes from the queue is no logging, whatever it is wrapped in.
func (h *Heartbeater) drain() {
	h.logger.Debugf("drained %d", len(h.queue.TakeAll(h.ctx)))  // error: DC701[warning]
	h.store.WriteServerState(h.workers)
}
