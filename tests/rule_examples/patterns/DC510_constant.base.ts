// path: src/queues/index.ts
import { Worker } from "bullmq";

const concurrency = 2;
export const worker = new Worker("index", async () => {}, { concurrency });
