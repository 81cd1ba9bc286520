// path: internal/rdb/scripts.go
package rdb

var releaseCmd = redis.NewScript(`
return redis.call("DEL", KEYS[1])`)  // error: DC702

var label = "release-lock"  // ok: DC702
