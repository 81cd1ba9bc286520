// path: src/workflows/order.ts
import { proxyActivities, sleep } from "@temporalio/workflow";
import type * as activities from "../activities";

const { charge, ship } = proxyActivities<typeof activities>({
  startToCloseTimeout: "5 minutes",
  heartbeatTimeout: "30 seconds",  // error: DC713
});

export async function orderWorkflow(id: string): Promise<void> {
  await charge(id);
  await ship(id);
}
