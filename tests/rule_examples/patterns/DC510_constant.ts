// path: src/queues/index.ts
import { Worker } from "bullmq";

const concurrency = 6;  // error: DC510
export const worker = new Worker("index", async () => {}, { concurrency });
