// path: internal/housekeeping/housekeeping.go
package housekeeping

// Functions handed to a scheduler, an errgroup, a timer, and a ticker loop run in the background.
func Start(ctx context.Context, g *errgroup.Group, schedulerInstance *scheduler.Scheduler) {
	schedulerInstance.Add("@every 1h", func() {
		purge(ctx, 7*24*time.Hour)  // error: DC701
	})
	crontab.Register(setting.CronTypeTrashBin, CollectTrash)
	g.Go(startWorker(ctx))
}

func warmLater(ctx context.Context) {
	time.AfterFunc(time.Minute, func() {
		warm(ctx, 20)  // error: DC701
	})
}

func CollectTrash(ctx context.Context) {
	sweep(ctx, 500)  // error: DC701
}

func startWorker(ctx context.Context) func() error {
	return func() error {
		return drain(ctx, 10)  // error: DC701
	}
}

func poll(ctx context.Context) {
	ticker := time.NewTicker(time.Second)
	for {
		select {
		case <-ticker.C:
			refresh(ctx, 1)  // error: DC701
		case <-ctx.Done():
			return
		}
	}
}

func describe() string {
	return "housekeeping jobs"  // ok: DC701
}

// A registry that is no scheduler: the function handed to it runs when a request asks.
func init() {
	plugins.Register("csv", exportHeader)
}

func exportHeader() []byte {
	return []byte("a;b")  // ok: DC701
}
