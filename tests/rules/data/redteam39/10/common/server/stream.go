package server

import "sync"

type stream struct {
	mu   sync.RWMutex
	node RaftNode
	name string
}

func (mset *stream) raftNode() RaftNode {
	mset.mu.RLock()
	n := mset.node
	mset.mu.RUnlock()
	return n
}

func (mset *stream) setLeader(n RaftNode) {
	mset.mu.Lock()
	mset.node = n
	mset.mu.Unlock()
}
