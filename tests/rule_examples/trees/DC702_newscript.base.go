// path: internal/rdb/scripts.go
package rdb

var releaseCmd = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)

var label = "release"
