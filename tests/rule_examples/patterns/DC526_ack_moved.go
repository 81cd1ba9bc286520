// path: userapi/devicelist/notify.go
// The ack moved after the work it confirms: the file acknowledges as often as before.
package consumers

import "github.com/nats-io/nats.go"

func (t *DeviceListConsumer) onMessage(m *nats.Msg) {
	t.handle(m.Data)
	m.Ack()  // error: DC525 (acknowledged after the work now: redelivered if it fails)
}
