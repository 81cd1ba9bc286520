// path: internal/notification/worker.go
package notification

const queueSize = 128

type task struct{ id string }

type worker struct{ tasks chan task }

func newWorkerWithDefaults() *worker {
	return newWorkerWithBuffer(sizeFromEnv(queueSize))  // error: DC704
}

func newWorkerWithBuffer(size int) *worker {
	w := &worker{tasks: make(chan task, size)}  // ok: DC704 (the make itself is as it was)
	go w.run()
	return w
}

func (w *worker) run() {
	for t := range w.tasks {
		send(t)
	}
}
