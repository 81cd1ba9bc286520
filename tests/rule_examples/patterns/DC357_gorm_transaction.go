// path: internal/billing/charge.go
package billing

import (
	"gorm.io/gorm"
)

func Charge(db *gorm.DB, id uint, amount int) error {
	var account Account
	if err := db.First(&account, id).Error; err != nil {
		return err
	}
	return db.Model(&account).Update("balance", account.Balance-amount).Error  // ok: DC252 (a write with no lock or transaction)
}
