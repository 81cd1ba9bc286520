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
		if !ignorable(err) {  // error: DC701[info] (the condition only decides whether to log)
			n.Logger.ErrorContext(ctx, "error closing listener", "err", err)
		}
	}
}

func (n *Notifier) drain() {
	for range n.listener.Events() {
		if n.seen++; n.verbose {  // error: DC701[warning] (an initializer that counts is not logging)
			n.Logger.InfoContext(ctx, "event")
		}
	}
}

func (n *Notifier) claim() {
	for job := range n.listener.Jobs() {
		run(job)
	}
}
