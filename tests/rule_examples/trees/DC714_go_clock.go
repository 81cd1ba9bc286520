// path: internal/billing/renewal.go
package billing

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

func RenewalWorkflow(ctx workflow.Context, id string, start time.Time) error {
	if time.Since(start) > 24*time.Hour {  // error: DC701, DC714
		return workflow.ExecuteActivity(ctx, Expire, id).Get(ctx, nil)
	}
	var now time.Time
	workflow.SideEffect(ctx, func(ctx workflow.Context) interface{} { return time.Now() }).Get(&now)  // ok: DC714
	return workflow.ExecuteActivity(ctx, Renew, id, now).Get(ctx, nil)
}

func Stamp() time.Time {
	return time.Now().UTC()  // ok: DC714
}
