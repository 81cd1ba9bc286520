package hooks

import (
	"bytes"
	"net/http"
)

// Dispatcher posts events to subscribers' webhooks and hands deliveries to workers.
type Dispatcher struct {
	client  *http.Client
	workers []*Worker
}

func (d *Dispatcher) Start() {
	for _, w := range d.workers {
		go func(w *Worker) {
			for ev := range w.events {
				w.client.Deliver(ev)
			}
		}(w)
	}
}

func (d *Dispatcher) Ping(url string) error {
	resp, err := d.client.Post(url, "application/json", bytes.NewReader([]byte("{}")))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
