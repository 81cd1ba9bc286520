// path: internal/claims/claim.go
package claims

func claim(ctx context.Context, rdb *redis.Client, id string) (bool, error) {
	err := rdb.Set(ctx, "claim:"+id, 1, time.Minute).Err()
	return err == nil, err
}
