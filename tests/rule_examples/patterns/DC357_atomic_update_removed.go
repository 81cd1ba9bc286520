// path: internal/stats/hit_count.go
package stats

import "context"

func updateHitCounts(ctx context.Context, path int64, n int) error {
	var cur int
	if err := zdb.Get(ctx, &cur, `select total from hit_counts where path_id = $1`, path); err != nil {
		return err
	}
	return zdb.Exec(ctx, `update hit_counts set total = $1 where path_id = $2`, cur+n, path)  // error: DC353
}

func reserve(ctx context.Context, id int64, qty int) error {
	var p Product
	db.First(&p, id)
	return db.Model(&p).UpdateColumn("stock", p.Stock-qty).Error
}

func rename(ctx context.Context, path int64) error {
	return zdb.Exec(ctx, `update paths set title = $1 where id = $2`, "x", path)
}
