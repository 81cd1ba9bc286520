// path: src/util/dedupe.js
// A Set named queue and a browser Web Worker: no queue library is imported.
const queue = new Set();  // ok: DC151
function remember(worker) {
  queue.add(worker);  // ok: DC151, DC150
  const w = new Worker("./thread.js");  // ok: DC150
  const options = { concurrency: 8 };  // ok: DC510
  return w;
}
