// path: internal/billing/renewal.go
package billing

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

func RenewalWorkflow(ctx workflow.Context, id string, start time.Time) error {
	if workflow.Now(ctx).Sub(start) > 24*time.Hour {
		return workflow.ExecuteActivity(ctx, Expire, id).Get(ctx, nil)
	}
	return workflow.ExecuteActivity(ctx, Renew, id).Get(ctx, nil)
}

func Stamp() time.Time {
	return time.Now()
}
