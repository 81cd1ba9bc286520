// path: internal/billing/charge.go
package billing

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

func Charge(db *gorm.DB, id uint, amount int) error {
	return db.Transaction(func(tx *gorm.DB) error {  // error: DC252
		var account Account
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&account, id).Error; err != nil {  // error: DC252
			return err
		}
		return tx.Model(&account).Update("balance", account.Balance-amount).Error
	})
}

func Refund(dbx *sqlx.DB, id uint) error {
	tx := dbx.MustBegin()  // error: DC252
	defer tx.Rollback()
	tx.MustExec("UPDATE accounts SET refunds = refunds + 1 WHERE id = $1", id)
	return tx.Commit()
}

func Total(db *gorm.DB) (n int64) {
	db.Model(&Account{}).Count(&n)  // ok: DC252 (a read, no lock or transaction)
	return n
}

// The application's own transaction helper, a distributed lock's expiry, a `select` that now
// stops waiting when the context ends.
func (jd *Handle) compact(ctx context.Context) error {
	return jd.withMaintenanceTx(ctx, func(tx *Tx) error {  // error: DC252
		_, err := tx.ExecContext(ctx, "SET LOCAL enable_nestloop = off")
		return err
	})
}

func (t *Task) archiveOld(ctx context.Context) error {
	mutex := t.rs.NewMutex("archive", redsync.WithExpiry(100*time.Millisecond))  // error: DC252
	return t.locker.WithLock(ctx, "archive", 10*time.Second, t.archive)  // error: DC252
}

func (d *dispatcher) DispatchNow() (<-chan int, error) {
	select {  // error: DC252
	case d.trigger <- struct{}{}:
		return d.done, nil
	case <-d.ctx.Done():
		return nil, ErrWatcherNotRunning
	}
}

func (s *Store) Payments(ctx context.Context) error {
	s.log.WithTxID(ctx, id)  // ok: DC252 (no function handed over)
	return s.send(ctx, paymentTransaction(order))  // ok: DC252
}

func (p *channelPool) Stats(sem *semaphore.Weighted, ctx context.Context) {
	p.gauge.Record(ctx, p.Stat().AcquiredResources())  // ok: DC252 (a pool's statistic, read for a metric)
	p.hist.Record(ctx, p.Stat().AcquireDuration().Seconds())  // ok: DC252
	_ = sem.Acquire(ctx, 1)  // error: DC252
}
