// path: storage/kubernetes/lock.go
package kubernetes

import "time"

// Lock polls until the lock annotation can be set on the refresh token resource.
func (l *refreshTokenLock) Lock(id string) error {
	for i := 0; i <= 60; i++ {
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
	l.removeAnnotation(id)
}

func (c *client) Name() string {
	return "kubernetes"
}
