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
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var a *Activities
	return workflow.ExecuteActivity(ctx, a.Charge, id).Get(ctx, nil)
}

type Activities struct{ db *sql.DB }

func (a *Activities) Charge(ctx context.Context, id string) error {
	_, err := a.db.ExecContext(ctx, "UPDATE orders SET charged = true WHERE id = $1", id)
	return err
}

func Register(w worker.Worker, db *sql.DB) {
	w.RegisterWorkflow(OrderWorkflow)
	w.RegisterActivity(&Activities{db: db})
}
