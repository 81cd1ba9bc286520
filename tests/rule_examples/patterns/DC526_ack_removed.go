// path: roomserver/internal/input/input.go
// dendrite's ephemeral input consumer: its acknowledgement was turned off and its ack removed.
package input

import "github.com/nats-io/nats.go"

func (r *Inputer) Start(js nats.JetStreamContext, subject string) error {
	_, err := js.Subscribe(subject, func(m *nats.Msg) {
		r.handle(m.Data)
	}, nats.DeliverAll(), nats.AckNone())  // error: DC525, DC701[info]
	return err
}
