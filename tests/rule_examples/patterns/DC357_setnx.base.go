// path: internal/claims/claim.go
package claims

func claim(ctx context.Context, rdb *redis.Client, id string) (bool, error) {
	return rdb.SetNX(ctx, "claim:"+id, 1, time.Minute).Result() // error: DC357
}
