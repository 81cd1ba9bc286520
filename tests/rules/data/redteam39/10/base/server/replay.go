package server

func (mset *stream) shouldReplay() bool {
	if mset == nil || mset.raftNode() == nil {
		return false
	}
	return true
}

func (mset *stream) rename(name string) {
	mset.mu.Lock()
	mset.name = name
	mset.mu.Unlock()
}
