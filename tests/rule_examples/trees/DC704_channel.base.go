// path: internal/worker/results.go
package worker

func run(quit chan struct{}) error {
	results := make(chan error, 1)
	logs := make(chan string, 10)
	go func() { results <- work() }()
	go func() { logs <- "done" }()
	select {
	case err := <-results:
		return err
	case <-quit:
		return nil
	}
}
