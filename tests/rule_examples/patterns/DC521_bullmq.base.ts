// path: src/worker.ts
import { Queue, Worker } from "bullmq";

export const exportsQueue = new Queue("exports", {
  connection,
  defaultJobOptions: { attempts: 3, backoff: { type: "exponential", delay: 1000 } },
});

export const worker = new Worker("exports", processor, {
  connection,
  lockDuration: 60000,
  maxStalledCount: 1,
});
