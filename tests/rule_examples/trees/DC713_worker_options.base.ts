// path: src/worker.ts
import { NativeConnection, Worker } from "@temporalio/worker";
import * as activities from "./activities";

export async function startWorker(connection: NativeConnection): Promise<void> {
  const worker = await Worker.create({
    connection,
    taskQueue: "orders",
    workflowsPath: require.resolve("./workflows"),
    activities,
    maxConcurrentActivityTaskExecutions: 1,
  });
  await worker.run();
}
