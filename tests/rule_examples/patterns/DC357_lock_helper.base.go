// path: internal/cache/store.go
package cache

import "sync"

type Store struct {
	mu    sync.Mutex
	items map[string]string
}

func (s *Store) Put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[k] = v
}

func (s *Store) Get(k string) string {
	s.mu.Lock()  // error: DC357[info]
	defer s.mu.Unlock()
	return s.items[k]
}

func (s *Store) Save(k string) error {
	tx, err := s.db.Begin()  // error: DC357[warning]
	if err != nil {
		return err
	}
	tx.Exec(k)
	return tx.Commit()
}

func (s *Store) Drop(k string) {
	s.mu.Lock()  // error: DC357[high]
	delete(s.items, k)
	s.mu.Unlock()
}
