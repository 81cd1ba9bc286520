// path: userapi/devicelist/notify.go
// The ack moved after the work it confirms: the file acknowledges as often as before.
package consumers

import "github.com/nats-io/nats.go"

func (t *DeviceListConsumer) onMessage(m *nats.Msg) {
	m.Ack()  // ok: DC526 (moved, not removed)
	t.handle(m.Data)
}
