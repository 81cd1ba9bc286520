// path: src/workers/mail.ts
import { Worker } from "bullmq";

export function startMailWorker(connection: object, concurrency = 8) {  // error: DC510
  return new Worker("mail", async () => {}, { connection, concurrency });
}

const lockLimit = 2;
export const limits = { lockLimit };
