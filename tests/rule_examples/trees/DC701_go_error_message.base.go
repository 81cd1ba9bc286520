// path: internal/results/writer.go
package results

type Writer struct{ ctx context.Context }

func (w *Writer) Start() {
	go w.write(nil)
	go w.flush()
	go w.close()
}

func (w *Writer) write(data []byte) error {
	select {
	case <-w.ctx.Done():
		return fmt.Errorf("failed to result task result: %v", w.ctx.Err())
	default:
	}
	return w.store(data)
}

func (w *Writer) flush() error {
	if w.pending() {
		return fmt.Errorf("flush: %v", w.ctx.Err())
	}
	return nil
}

func (w *Writer) close() error {
	if w.closed {
		return errors.New("already closed")
	}
	return nil
}
