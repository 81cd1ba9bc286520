// path: internal/stats/collect.go
package stats

import "sync"

func Collect(ids []string) (map[string]int, int) {
	counts := make(map[string]int)
	total := 0
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {  // error: DC701
			defer wg.Done()
			n := len(id)
			counts[id]++  // error: DC352
			total += n  // error: DC352
		}(id)
	}
	wg.Wait()
	return counts, total
}

func CollectSafe(ids []string) map[string]int {
	counts := make(map[string]int)
	results := make([]int, len(ids))
	var mu sync.Mutex  // error: DC252
	for i, id := range ids {
		go func(i int, id string) {  // error: DC701
			results[i] = len(id)  // ok: DC352
			mu.Lock()  // error: DC252
			counts[id]++  // ok: DC352
			mu.Unlock()  // ok: DC252
		}(i, id)
	}
	// go func() { counts["x"] = 1 }()  // ok: DC352
	return counts
}
