// path: models/campaign.go
package models

import "gorm.io/gorm"

func Complete(db *gorm.DB, c *Campaign, id int64) error {
	c.Status = "done"
	return db.Model(&Campaign{}).Where("id = ?", id).  // error: DC360
		Select("status").Updates(c).Error
}

func Rename(db *gorm.DB, c *Campaign) error {
	return db.Save(c).Error  // error: DC360
}

func Touch(db *gorm.DB, c *Campaign) error {
	return db.Omit("created_at").Save(c).Error  // ok: DC360
}
