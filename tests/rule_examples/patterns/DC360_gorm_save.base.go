// path: models/campaign.go
package models

import "gorm.io/gorm"

func Complete(db *gorm.DB, c *Campaign, id int64) error {
	c.Status = "done"
	return db.Where("id = ?", id).Save(c).Error
}

func Rename(db *gorm.DB, c *Campaign) error {
	return db.Model(c).Update("name", c.Name).Error
}

func Touch(db *gorm.DB, c *Campaign) error {
	return db.Save(c).Error
}
