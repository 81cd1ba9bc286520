// path: src/workflows/order.ts
import { proxyActivities, sleep } from "@temporalio/workflow";
import type * as activities from "../activities";

const { charge, ship } = proxyActivities<typeof activities>({
  startToCloseTimeout: "30 minutes",  // error: DC701, DC713
});

export async function orderWorkflow(id: string): Promise<void> {
  await charge(id);
  await sleep("1 hour");  // error: DC701
  await ship(id);
}
