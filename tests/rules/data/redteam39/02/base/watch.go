package config

import (
	"log"
	"time"
)

// Watch reloads the configuration on every change event (callers run it with `go`).
func Watch(events <-chan string, reload func() error) {
	for range events {
		if err := reload(); err != nil {
			log.Printf("reload: %v", err)
		}
	}
}
