// path: internal/stats/hit_count.go
package stats

import "context"

func updateHitCounts(ctx context.Context, path int64, n int) error {
	return zdb.Exec(ctx, `update hit_counts set total = total + $1 where path_id = $2`, n, path)  // error: DC357[high]
}

func reserve(ctx context.Context, id int64, qty int) error {
	return db.Model(&Product{}).Where("id = ?", id).UpdateColumn("stock", gorm.Expr("stock - ?", qty)).Error  // error: DC357[high]
}

func rename(ctx context.Context, path int64) error {
	return zdb.Exec(ctx, `update paths set title = $1 where id = $2`, "x", path)  // ok: DC357
}
