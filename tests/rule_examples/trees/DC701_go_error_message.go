// path: internal/results/writer.go
package results

type Writer struct{ ctx context.Context }

func (w *Writer) Start() {
	go w.write(nil)
	go w.flush()
	go w.close()
}

// The text of an error fmt.Errorf or errors.New builds is its message, not behaviour.
func (w *Writer) write(data []byte) error {
	select {
	case <-w.ctx.Done():
		return fmt.Errorf("failed to write task result: %v", w.ctx.Err())  // error: DC701[info]
	default:
	}
	return w.store(data)
}

// Its verbs are not: `%w` wraps the cause, which callers can now match.
func (w *Writer) flush() error {
	if w.pending() {
		return fmt.Errorf("flush: %w", w.ctx.Err())  // error: DC701[warning]
	}
	return nil
}

func (w *Writer) close() error {
	if w.closed {
		return errors.New("writer already closed")  // error: DC701[info]
	}
	return nil
}
