// path: roomserver/internal/input/input.go
// dendrite's room-server input: its stream's age limit, its consumers' acknowledgement and
// inactivity settings, and the stream created at start-up.
package input

import (
	"time"

	"github.com/nats-io/nats.go"
)

func (r *Inputer) Setup(js nats.JetStreamContext) error {
	_, err := js.AddStream(&nats.StreamConfig{  // error: DC525
		Name:     "InputRoomEvent",  // ok: DC525 (a name, not how messages are kept)
		Subjects: []string{"input.>"},  // ok: DC525
		MaxAge:   time.Hour * 24,  // error: DC525
	})
	return err
}

func (r *Inputer) Start(js nats.JetStreamContext, subject string) error {
	_, err := js.Subscribe(subject, func(m *nats.Msg) {
		r.handle(m.Data)
		m.Ack()  // error: DC525
	}, nats.DeliverAll(), nats.AckNone(), nats.InactiveThreshold(time.Hour))  // error: DC525
	return err
}
