package search

import "strings"


type Indexer struct {
	workers *ShardPool
	stats   map[string]int
	docs    map[string]string
}

func (ix *Indexer) Reindex(ids []string) {
	for _, id := range ids {
		id := id
		ix.workers.Submit(func() { ix.reindexOne(id) })
	}
	ix.workers.Submit(ix.compact)
}

func (ix *Indexer) reindexOne(id string) {
	body := ix.docs[id]
	ix.docs[id] = strings.ToLower(body)
}

func (ix *Indexer) compact() {
	for id, body := range ix.docs {
		if body == "" {
			delete(ix.docs, id)
		}
	}
}
