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
