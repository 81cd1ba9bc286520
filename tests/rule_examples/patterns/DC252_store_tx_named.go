// path: api/http/handler/users/user_create.go
// A transaction whose type carries the application's name (portainer's data store).
package users

import (
	portainer "github.com/portainer/portainer/api"
	"github.com/portainer/portainer/api/dataservices"
)

func (h *Handler) create(name string) error {
	return h.DataStore.UpdateTx(func(tx dataservices.DataStoreTx) error {  // error: DC252
		return tx.User().Create(&portainer.User{Username: name})
	})
}

func (h *Handler) audit(name string) error {
	return h.Store.Run(func(t portainer.Transaction) error {  // error: DC252
		return t.Log(name)
	})
}

func (h *Handler) view(name string) error {
	return h.DataStore.ViewTx(func(tx dataservices.DataStoreTx) error {  // ok: DC252 (a read-only transaction no writer waits on)
		_, err := tx.User().UserByUsername(name)
		return err
	})
}
