// path: internal/leader/leader.go
package leader

func (l *Leader) tryLead(ctx context.Context) (bool, error) {
	var ok bool
	err := l.db.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", leaderKey).Scan(&ok)  // error: DC252
	return ok, err
}
