// path: internal/billing/charge.go
package billing

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

func Charge(db *gorm.DB, id uint, amount int) error {
	return db.Transaction(func(tx *gorm.DB) error {  // error: DC357[high]
		var account Account
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&account, id).Error; err != nil {  // error: DC357[high]
			return err
		}
		return tx.Model(&account).Update("balance", account.Balance-amount).Error
	})
}
