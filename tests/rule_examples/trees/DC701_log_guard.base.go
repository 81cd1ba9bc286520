// path: internal/notifier/notifier.go
package notifier

type Notifier struct{ listener Listener }

func (n *Notifier) Start() {
	go n.closeListener()
	go n.drain()
	go n.claim()
}

func (n *Notifier) closeListener() {
	if err := n.listener.Close(); err != nil {
		if ignorable(err) {
			n.Logger.ErrorContext(ctx, "error closing listener", "err", err)
		}
	}
}

func (n *Notifier) drain() {
	for range n.listener.Events() {
		if n.verbose {
			n.Logger.InfoContext(ctx, "event")
		}
	}
}

func (n *Notifier) claim() {
	for job := range n.listener.Jobs() {
		if !n.locks.TryLock(job) {  // error: DC701[warning] (the guard's condition took a lock: removing it is not only logging)
			n.Logger.InfoContext(ctx, "taken")
		}
		run(job)
	}
}
