// path: internal/mfa/totp.go
package mfa

import "time"

// usedPasscodes is declared in another file of the package, as a sync.Map.
func markUsed(key string) bool {
	if _, loaded := usedPasscodes.LoadOrStore(key, time.Now()); loaded {  // error: DC252
		return false
	}
	usedPasscodes.Store(key, time.Now())  // ok: DC252
	return true
}
