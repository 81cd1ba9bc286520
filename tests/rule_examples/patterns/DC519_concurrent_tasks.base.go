// path: api/scanner/queue.go
package scanner

type ScannerQueueSettings struct {
	max_concurrent_tasks int
}

func InitializeScannerQueue() *ScannerQueue {
	return &ScannerQueue{settings: ScannerQueueSettings{max_concurrent_tasks: 3}}
}
