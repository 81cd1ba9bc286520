package server

import (
	"net/http"
	"sync"
)

type Server struct {
	grMu      sync.Mutex
	grRunning bool
	grWG      sync.WaitGroup
	opts      *Options
}

// startGoroutine runs f in a new goroutine that Shutdown waits for.
func (s *Server) startGoroutine(f func()) bool {
	s.grMu.Lock()
	defer s.grMu.Unlock()
	if !s.grRunning {
		return false
	}
	s.grWG.Add(1)
	go func() {
		defer s.grWG.Done()
		f()
	}()
	return true
}

func (s *Server) Start() {
	s.grMu.Lock()
	s.grRunning = true
	s.grMu.Unlock()
	s.startGoroutine(func() { s.acceptLoop() })
	if s.opts.ProfPort != 0 {
		s.startGoroutine(func() { s.startProfiler() })
	}
}

func (s *Server) acceptLoop() {}

func (s *Server) startProfiler() {
	http.ListenAndServe(s.opts.ProfAddr(), nil)
}
