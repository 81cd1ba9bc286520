// path: enqueue.go
package enqueuer

import "sync"

type Enqueuer struct {
	Namespace string
}

type Registry struct {
	mu    sync.Mutex
	names map[string]bool
}

func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[name] = true
}
