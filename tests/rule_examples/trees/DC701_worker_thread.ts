// path: src/pool/hash-worker.ts
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', async (task: { id: string; body: string }) => {
  const digest = await hash(task.body.normalize());  // error: DC701
  parentPort?.postMessage({ id: task.id, digest });
});
