// path: storage/kubernetes/lock.go
package kubernetes

import "time"

// Lock polls until the lock annotation can be set on the refresh token resource
// (about twenty seconds).
func (l *refreshTokenLock) Lock(id string) error {
	for i := 0; i <= 200; i++ { // error: DC704
		ok, err := l.setLockAnnotation(id)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errLockTimeout
}

func (l *refreshTokenLock) Unlock(id string) {
	// gives the annotation back
	l.removeAnnotation(id) // ok: DC704
}

func (c *client) Name() string {
	return "kubernetes-crd" // ok: DC704
}
