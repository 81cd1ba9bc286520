// path: internal/orders/workflow.go
package orders

import (
	"context"
	"database/sql"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func OrderWorkflow(ctx workflow.Context, id string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,  // error: DC701, DC713
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},  // error: DC713
	})
	var a *Activities
	return workflow.ExecuteActivity(ctx, a.Charge, id).Get(ctx, nil)
}

type Activities struct{ db *sql.DB }

func (a *Activities) Charge(ctx context.Context, id string) error {
	_, err := a.db.ExecContext(ctx, "UPDATE orders SET charged = true, charged_at = now() WHERE id = $1", id)  // error: DC701
	return err
}

func Register(w worker.Worker, db *sql.DB) {
	w.RegisterWorkflow(OrderWorkflow)
	w.RegisterActivity(&Activities{db: db})
}
