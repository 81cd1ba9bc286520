// path: internal/msgqueue/rabbitmq/rabbitmq.go
package rabbitmq

const (
	subMaxChans  = 10  // error: DC718
	pubMaxChans  = 20
	pageSize     = 500  // ok: DC718 (not a retry or concurrency setting)
)

type Config struct {
	Prefetch   int `envconfig:"PREFETCH" default:"50"`  // error: DC718
	MaxRetries int `envconfig:"MAX_RETRIES" default:"5"`
}

func newPool() *Pool {
	return &Pool{MaxConns: 32, Name: "subscribers"}  // error: DC718
}

func workers() int {
	numWorkers := 16  // error: DC519 // ok: DC718
	return numWorkers
}

var ErrNegativeBackoffLimit = errors.New("backoff_limit must be >= 1")  // ok: DC718 (a message, not a setting)
