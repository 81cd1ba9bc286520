// path: internal/inventory/reserve.go
package inventory

import "database/sql"

func Reserve(db *sql.DB, id int64, qty int) error {
	var stock int
	if err := db.QueryRow("SELECT stock FROM products WHERE id = ?", id).Scan(&stock); err != nil {
		return err
	}
	_, err := db.Exec("UPDATE products SET stock = ? WHERE id = ?", stock-qty, id)  // error: DC353
	return err
}

func ReserveAtomic(db *sql.DB, id int64, qty int) error {
	_, err := db.Exec("UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?", qty, id, qty)  // ok: DC353
	return err
}

func ReserveLocked(tx *sql.Tx, id int64, qty int) error {
	var stock int
	if err := tx.QueryRow("SELECT stock FROM products WHERE id = ? FOR UPDATE", id).Scan(&stock); err != nil {  // error: DC252
		return err
	}
	_, err := tx.Exec("UPDATE products SET stock = ? WHERE id = ?", stock-qty, id)  // ok: DC353
	return err
}
