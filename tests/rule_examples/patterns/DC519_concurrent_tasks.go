// path: api/scanner/queue.go
package scanner

type ScannerQueueSettings struct {
	max_concurrent_tasks int
}

func InitializeScannerQueue(concurrentWorkers int) *ScannerQueue {
	return &ScannerQueue{settings: ScannerQueueSettings{max_concurrent_tasks: concurrentWorkers}}  // error: DC519
}

func ChangeScannerConcurrentWorkers(queue *ScannerQueue, newMaxWorkers int) {
	queue.settings.max_concurrent_tasks = newMaxWorkers  // error: DC519
	concurrentRequests := 4  // ok: DC519
	_ = concurrentRequests
}
