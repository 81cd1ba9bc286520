package transfer

// Stats counts what the transfer workers did; read by the progress reporter.
type Stats struct {
	bytes  int64
	files  int64
	errors int64
}
