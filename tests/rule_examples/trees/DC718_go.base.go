// path: internal/msgqueue/rabbitmq/rabbitmq.go
package rabbitmq

const (
	subMaxChans  = 100
	pubMaxChans  = 20
	pageSize     = 50
)

type Config struct {
	Prefetch   int `envconfig:"PREFETCH" default:"10"`
	MaxRetries int `envconfig:"MAX_RETRIES" default:"5"`
}

func newPool() *Pool {
	return &Pool{MaxConns: 8, Name: "subscribers"}
}

func workers() int {
	numWorkers := 4
	return numWorkers
}

var ErrNegativeBackoffLimit = errors.New("backoff_limit must be >= 0")
