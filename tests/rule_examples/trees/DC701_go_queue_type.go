// path: persistence/task_queue_repository.go
package persistence

// The application's own queue: request handlers and commands change it while workers dequeue.
type taskQueueRepository struct{ db *sql.DB }

func (r *taskQueueRepository) Dequeue(limit int) ([]Task, error) {
	return r.query("DELETE FROM task_queue WHERE id IN (SELECT id FROM task_queue ORDER BY priority DESC LIMIT ?) RETURNING *", limit)  // error: DC701
}

func (r *taskQueueRepository) Purge(kind string) (int64, error) {  // error: DC701
	return r.exec("DELETE FROM task_queue WHERE kind = ?", kind)
}

// A queued item is data, not the queue.
type QueuedTask struct{ Kind string }

func (t QueuedTask) Label() string {
	return "task " + t.Kind  // ok: DC701
}
