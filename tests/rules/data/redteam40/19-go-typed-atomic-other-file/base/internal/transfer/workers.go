package transfer

import (
	"context"
	"sync"
	"sync/atomic"
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
					atomic.AddInt64(&st.errors, 1)
					continue
				}
				atomic.AddInt64(&st.bytes, written)
				atomic.AddInt64(&st.files, 1)
			}
		}()
	}
	wg.Wait()
}

func (s *Stats) Snapshot() (int64, int64, int64) {
	return atomic.LoadInt64(&s.bytes), atomic.LoadInt64(&s.files), atomic.LoadInt64(&s.errors)
}
