// path: pkg/sqlmigration/117_add_auth_domain_tuples.go
// A schema migration's transaction runs once, at deploy, in one process; the same call in the
// store the workers use is concurrency control.
package sqlmigration

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

func (m *addTuples) Register(migrations *migrate.Migrations) error {
	return migrations.Register(m.Up, m.Down)
}

func (m *addTuples) Up(ctx context.Context, db *bun.DB) error {
	tx, err := db.BeginTx(ctx, nil)  // ok: DC252
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return tx.Commit()
}
