package config

import (
	"log"
	"time"
)

// Watch reloads the configuration once events have been quiet for 500ms.
func Watch(events <-chan string, reload func() error) {
	var pending *time.Timer
	go func() {
		for range events {
			if pending != nil {
				pending.Stop()
			}
			pending = time.AfterFunc(500*time.Millisecond, func() {
				pending = nil
				if err := reload(); err != nil {
					log.Printf("reload: %v", err)
				}
			})
		}
	}()
}
