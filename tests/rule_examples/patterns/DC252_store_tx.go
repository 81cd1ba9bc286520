// path: pkg/sqlstore/tuples.go
package sqlstore

import (
	"context"

	"github.com/uptrace/bun"
)

func (s *Store) AddTuples(ctx context.Context, db *bun.DB) error {
	tx, err := db.BeginTx(ctx, nil)  // error: DC252
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return tx.Commit()
}
