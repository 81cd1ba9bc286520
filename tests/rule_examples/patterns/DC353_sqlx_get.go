// path: internal/stats/hit_count.go
// The postmortem's refactor in Go (a new user's trial on goatcounter): the total is read with
// sqlx's `GetContext` (or a helper so named), summed in Go and written back.
package stats

import (
	"context"

	"github.com/jmoiron/sqlx"
)

func updateHitCounts(ctx context.Context, db *sqlx.DB, path int64, n int) error {
	var cur int
	if err := db.GetContext(ctx, &cur, "SELECT total FROM hit_counts WHERE path_id = $1", path); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, "UPDATE hit_counts SET total = $1 WHERE path_id = $2", cur+n, path)  // error: DC353
	return err
}

func updateWithHelper(ctx context.Context, path int64, n int) error {
	var cur int
	if err := zdb.Get(ctx, &cur, `select total from hit_counts where path_id = $1`, path); err != nil {
		return err
	}
	return zdb.Exec(ctx, `update hit_counts set total=$1 where path_id = $2`, cur+n, path)  // error: DC353
}

func replaceRow(ctx context.Context, path int64, n int) error {
	var cur int
	if err := zdb.Get(ctx, &cur, `select total from hit_counts where path_id = $1`, path); err != nil {
		return err
	}
	cur += n
	if err := zdb.Exec(ctx, `delete from hit_counts where path_id = $1`, path); err != nil {
		return err
	}
	return zdb.Exec(ctx, `insert into hit_counts (path_id, total) values ($1, $2)`, path, cur)  // error: DC353
}

func copyRow(ctx context.Context, path int64, n int) error {
	var cur int
	if err := zdb.Get(ctx, &cur, `select total from hit_counts where path_id = $1`, path); err != nil {
		return err
	}
	log(cur + n)
	return zdb.Exec(ctx, `insert into hit_log (path_id, total) values ($1, $2)`, path, n)  // ok: DC353
}

func updateAtomic(ctx context.Context, db *sqlx.DB, path int64, n int) error {
	_, err := db.ExecContext(ctx, "UPDATE hit_counts SET total = total + $1 WHERE path_id = $2", n, path)  // ok: DC353
	return err
}
