package billing

import "gorm.io/gorm"

type Service struct {
	db       *gorm.DB
	notifier Notifier
}

func (s *Service) Charge(userID uint, cents int64) error {
	s.db.Transaction(func(tx *gorm.DB) error {
		var wallet Wallet
		if err := tx.Where("user_id = ?", userID).First(&wallet).Error; err != nil {
			return err
		}
		if wallet.Balance < cents {
			return ErrInsufficientFunds
		}
		return tx.Model(&wallet).Update("balance", gorm.Expr("balance - ?", cents)).Error
	})
	s.notifier.Charged(userID, cents)
	return nil
}
