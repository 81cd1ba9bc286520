local rcall = redis.call  -- error: DC702
-- path: src/commands/moveToFinished-3.lua
local lockKey = KEYS[1]
if rcall("SCARD", KEYS[2]) > 0 then
  return -4
end
rcall("DEL", lockKey)
return 0
