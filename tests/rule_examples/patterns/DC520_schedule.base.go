// path: cmd/server/server.go
package server

func schedule(s *asynq.Scheduler) {
	s.Register("* * * * *", asynq.NewTask(TypeRefreshCounts, nil))
	s.Register("@every 1h", asynq.NewTask(TypeRetention, nil))
}
