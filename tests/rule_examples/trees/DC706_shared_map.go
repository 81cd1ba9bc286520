// path: enqueue.go
package enqueuer

import "sync"

type Enqueuer struct {
	Namespace string
	knownJobs map[string]int64
	pending   map[string]int
}

func NewEnqueuer(ns string) *Enqueuer {
	e := &Enqueuer{Namespace: ns, knownJobs: make(map[string]int64), pending: map[string]int{}}
	e.knownJobs["boot"] = 0  // ok: DC706 (a constructor, not a method: nothing shares the value yet)
	e.seed("init")
	return e
}

func (e *Enqueuer) seed(name string) {
	e.pending[name] = 1  // ok: DC706 (called only by the constructor, before the value is shared)
	e.register(name)
}

func (e *Enqueuer) register(name string) {
	e.knownJobs[name] = 1  // ok: DC706 (called only by a method the constructor calls)
}

func (e *Enqueuer) reseed(name string) {
	e.pending[name] = 2  // error: DC706
	e.retry(name)
}

func (e *Enqueuer) retry(name string) {
	e.knownJobs[name] = 2  // error: DC706 (also called by a method that runs after construction)
}

func startEnqueuer(e *Enqueuer) {
	e.retry("boot")
}

func (e *Enqueuer) addToKnownJobs(name string, now int64) {
	if _, ok := e.knownJobs[name]; !ok {  // ok: DC706 (a read)
		e.knownJobs[name] = now + 300  // error: DC706
	}
}

func (e *Enqueuer) done(name string) {
	e.pending[name]--  // error: DC706
	delete(e.pending, name)  // ok: DC706 (one finding per method)
}

func (e *Enqueuer) UnmarshalYAML(unmarshal func(interface{}) error) error {
	e.pending["from-config"] = 1  // ok: DC706 (the decoder fills the value it is building)
	return unmarshal(&e.Namespace)
}

func (e *Enqueuer) forgetLocked(name string) {
	delete(e.knownJobs, name)  // ok: DC706 (the caller holds the lock, by convention)
}

type Registry struct {
	mu    sync.Mutex
	names map[string]bool
}

func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[name] = false  // ok: DC706 (the struct holds a mutex) // error: DC701[info] (`Add` is too common a name to follow)
}
