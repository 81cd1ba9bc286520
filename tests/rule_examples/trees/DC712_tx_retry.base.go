// path: internal/store/transaction.go
package store

import (
	"context"
	"database/sql"
	"errors"
)

const maxTransactionRetries = 5

var errConflict = errors.New("conflict")

// InTransaction runs fn in a transaction, again when the database reports a conflict.
func InTransaction(ctx context.Context, db *sql.DB, dialect string, fn func(*sql.Tx) error) error {
	switch dialect {
	case "postgres":
		var err error
		for range maxTransactionRetries {
			tx, beginErr := db.BeginTx(ctx, nil)
			if beginErr != nil {
				return beginErr
			}
			if err = fn(tx); err != nil {
				_ = tx.Rollback()
			} else {
				err = tx.Commit()
			}
			if !errors.Is(err, errConflict) {
				return err
			}
		}
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Ping checks the connection, again on failure.
func Ping(ctx context.Context, db *sql.DB) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = db.PingContext(ctx); err == nil {
			return nil
		}
	}
	return err
}
