// path: internal/worker/results.go
package worker

func run(quit chan struct{}) error {
	results := make(chan error)  // error: DC704[high], DC701[info]
	logs := make(chan string, 10)  // ok: DC704
	go func() { results <- work() }()
	go func() { logs <- "done" }()
	select {
	case err := <-results:
		return err
	case <-quit:
		return nil
	}
}
