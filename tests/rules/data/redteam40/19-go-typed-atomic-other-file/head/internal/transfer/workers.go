package transfer

import (
	"context"
	"sync"
)

func Run(ctx context.Context, jobs <-chan Job, n int, st *Stats) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				written, err := job.Copy(ctx)
				if err != nil {
					st.errors.Add(1)
					continue
				}
				st.bytes.Add(written)
				st.files.Add(1)
			}
		}()
	}
	wg.Wait()
}

func (s *Stats) Snapshot() (int64, int64, int64) {
	return s.bytes.Load(), s.files.Load(), s.errors.Load()
}
