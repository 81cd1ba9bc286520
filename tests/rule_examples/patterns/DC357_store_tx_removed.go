// path: api/http/handler/edgejobs/tasklogs_collect.go
package edgejobs

func (h *Handler) collect(id int) error {
	job, err := h.DataStore.EdgeJob().Read(id)
	if err != nil {
		return err
	}
	job.Logs = append(job.Logs, "collected")
	return h.DataStore.EdgeJob().Update(id, job)
}
