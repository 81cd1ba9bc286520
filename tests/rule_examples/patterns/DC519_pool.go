// path: router/partition_worker.go
// A worker pool sized from a new setting, and asynq's concurrency raised from one.
package router

import "github.com/hibiken/asynq"

func newPartitionWorker(rt *Handle, partition string) *partitionWorker {
	pw := &partitionWorker{}
	noOfWorkers := getPartitionRouterConfigInt("noOfWorkers", rt.destType, partition, rt.defaultNoOfWorkers)  // error: DC519
	pw.workers = make([]*worker, noOfWorkers)  // ok: DC519 (uses the size, sets none)
	for i := range noOfWorkers {  // ok: DC519
		pw.workers[i] = newWorker(pw, i)
	}
	return pw
}

func newServer(redis asynq.RedisConnOpt) *asynq.Server {
	return asynq.NewServer(redis, asynq.Config{Concurrency: 20})  // error: DC519
}

type Config struct {
	Concurrency int `yaml:"concurrency"`  // ok: DC519 (a field's declaration)
}
