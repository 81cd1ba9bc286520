// path: cmd/server/server.go
// A schedule changed from every minute to every 30, and a new one; a version string and a log
// line are no schedules.
package server

func schedule(s *asynq.Scheduler) {
	s.Register("*/30 * * * *", asynq.NewTask(TypeRefreshCounts, nil))  // error: DC520
	s.Register("@every 1h", asynq.NewTask(TypeRetention, nil))
	s.Register("0 3 * * 1-5", asynq.NewTask(TypeDigest, nil))  // error: DC520
	log.Info("registered 3 tasks at 1 2 3")  // ok: DC520
	version := "1.2.3"  // ok: DC520
}
