// path: internal/inventory/reserve.go
package inventory

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

func Reserve(db *gorm.DB, id uint, qty int) error {
	var p Product
	if err := db.First(&p, id).Error; err != nil {
		return err
	}
	p.Stock -= qty  // error: DC359[high]
	return db.Save(&p).Error
}

func Restock(db *gorm.DB, id uint, qty int) error {
	var p Product
	db.Take(&p, id)
	p.Stock = p.Stock + qty  // error: DC359
	return db.Model(&p).Update("stock", p.Stock).Error
}

func ReserveLocked(db *gorm.DB, id uint, qty int) error {
	return db.Transaction(func(tx *gorm.DB) error {  // error: DC252
		var p Product
		tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&p, id)  // error: DC252
		p.Stock -= qty  // ok: DC359 (the row is locked)
		return tx.Save(&p).Error
	})
}

func Count(items []Item) (n int) {
	var totals Totals
	for range items {
		totals.Items++  // ok: DC359 (nothing was loaded or is saved)
	}
	return totals.Items
}
