package hooks

import "time"

type Event struct {
	ID  string
	URL string
}

type DeliveryClient struct {
	store *Store
}

// Deliver posts one event and records the attempt.
func (c *DeliveryClient) Deliver(ev Event) {
	post(ev)
	c.store.MarkDelivered(ev.ID, time.Now())
}
