// path: src/util/pool.ts
import pLimit from "p-limit";

export function makeLimit(concurrency = 4) {  // ok: DC510
  return pLimit(concurrency);
}
