// path: src/worker.ts
import { NativeConnection, Worker } from "@temporalio/worker";
import * as activities from "./activities";

export async function startWorker(connection: NativeConnection): Promise<void> {
  const worker = await Worker.create({
    connection,
    taskQueue: "orders-v2",  // error: DC713
    workflowsPath: require.resolve("./workflows/index"),  // ok: DC713 (not a setting of how activities run)
    activities,
    maxConcurrentActivityTaskExecutions: 20,  // error: DC713
  });
  await worker.run();
}
