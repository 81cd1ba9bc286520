// path: internal/cache/store.go
package cache

import "sync"

type Store struct {
	mu    sync.Mutex
	items map[string]string
}

func (s *Store) withLock(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *Store) Put(k, v string) {  // error: DC701[info] (`Put` is too generic a name to follow: said, not flagged)
	s.withLock(func() { s.items[k] = v })  // error: DC252 (the lock now taken through a helper)
}

func (s *Store) Get(k string) (v string) {
	s.withLock(func() { v = s.items[k] })  // error: DC252
	return v
}

func (s *Store) Save(k string) error {
	return dbutil.WithTx(s.db, func(tx Tx) error { return tx.Exec(k) })  // error: DC252 (the transaction now opened by a helper)
}

func (s *Store) Drop(k string) {
	delete(s.items, k)
}
