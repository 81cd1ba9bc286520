package search

import "sync"

// WorkerPool runs submitted functions on a fixed set of goroutines.
type WorkerPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func NewWorkerPool(n int) *WorkerPool {
	p := &WorkerPool{tasks: make(chan func(), 128)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for t := range p.tasks {
				t()
			}
		}()
	}
	return p
}

func (p *WorkerPool) Submit(f func()) { p.tasks <- f }

type Indexer struct {
	workers *WorkerPool
	stats   map[string]int
	docs    map[string]string
}
