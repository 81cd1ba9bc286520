// path: api/http/handler/edgejobs/tasklogs_collect.go
// portainer's handlers run a read-modify-write of a record inside its data store's transaction;
// the helper and the transaction's type carry the application's own names (a new user's trial).
package edgejobs

import "github.com/portainer/portainer/api/dataservices"

func (h *Handler) collect(id int) error {
	return h.DataStore.UpdateTx(func(tx dataservices.DataStoreTx) error {  // error: DC357[high]
		job, err := tx.EdgeJob().Read(id)
		if err != nil {
			return err
		}
		job.Logs = append(job.Logs, "collected")
		return tx.EdgeJob().Update(id, job)
	})
}
