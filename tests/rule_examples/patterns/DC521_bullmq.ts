// path: src/worker.ts
import { Queue, Worker } from "bullmq";

export const exportsQueue = new Queue("exports", {
  connection,
  defaultJobOptions: { attempts: 10, backoff: { type: "exponential", delay: 1000 } },  // error: DC521
});

export const worker = new Worker("exports", processor, {
  connection,
  lockDuration: 5000,  // error: DC521, DC701
  maxStalledCount: 1,  // ok: DC521
});
