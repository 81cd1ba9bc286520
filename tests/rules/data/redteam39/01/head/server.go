package main

import (
	"log"
	"net/http"
	"time"
)

func main() {
	mux := http.NewServeMux()
	var lastRefresh time.Time
	mux.HandleFunc("/refresh", func(w http.ResponseWriter, r *http.Request) {
		go func() {
			if time.Since(lastRefresh) < time.Minute {
				return
			}
			lastRefresh = time.Now()
			refreshCatalog()
		}()
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	log.Fatal(http.ListenAndServe(":8080", mux))
}

func refreshCatalog() {}
