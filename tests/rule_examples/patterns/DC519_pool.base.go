// path: router/partition_worker.go
package router

import "github.com/hibiken/asynq"

func newPartitionWorker(rt *Handle, partition string) *partitionWorker {
	pw := &partitionWorker{}
	pw.workers = make([]*worker, rt.noOfWorkers)
	return pw
}

func newServer(redis asynq.RedisConnOpt) *asynq.Server {
	return asynq.NewServer(redis, asynq.Config{Concurrency: 1})
}
