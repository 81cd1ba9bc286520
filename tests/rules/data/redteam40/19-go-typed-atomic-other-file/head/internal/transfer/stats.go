package transfer

import "sync/atomic"

// Stats counts what the transfer workers did; read by the progress reporter.
type Stats struct {
	bytes  atomic.Int64
	files  atomic.Int64
	errors atomic.Int64
}
