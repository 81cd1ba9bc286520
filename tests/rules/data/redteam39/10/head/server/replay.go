package server

func (mset *stream) shouldReplay() bool {
	if mset == nil || mset.node == nil {
		return false
	}
	return true
}

func (mset *stream) rename(name string) {
	mset.mu.Lock()
	mset.name = name
	mset.mu.Unlock()
}
