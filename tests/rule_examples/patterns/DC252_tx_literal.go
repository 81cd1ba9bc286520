// path: keyserver/storage/shared/storage.go
// dendrite's writer runs the function in a transaction when it is handed the database; a
// helper's declaration that takes such a function opens none itself.
package shared

import (
	"context"
	"database/sql"
)

func (d *Database) DeleteDeviceKeys(ctx context.Context, userID string) error {
	return d.Writer.Do(d.DB, nil, func(txn *sql.Tx) error {  // error: DC252
		return deleteKeys(ctx, txn, userID)
	})
}

func withTx(db *sql.DB, f func(txn *sql.Tx) error) (err error) {  // ok: DC252
	return f(nil)
}
