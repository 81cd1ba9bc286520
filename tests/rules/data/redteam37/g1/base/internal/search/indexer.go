package search

import "strings"

func (ix *Indexer) Reindex(ids []string) {
	for _, id := range ids {
		id := id
		ix.workers.Submit(func() {
			body := ix.docs[id]
			ix.docs[id] = strings.ToLower(body)
		})
	}
}
