// path: server/middlewares/limiter.ts
// A metrics client's counter (outline 2beacf9d56): a metric, not a row update.
import Metrics from "@server/logging/Metrics";
import statsd from "hot-shots";
import { Product } from "@server/models";

export async function charge(path: string, id: string, qty: number) {
  Metrics.increment("rate_limit.exceeded", { path });  // ok: DC250
  statsd.decrement("stock.reserved");  // ok: DC250
  this.metrics.increment(`limiter.${path}`);  // ok: DC250
  await Product.decrement("stock", { by: qty, where: { id } });  // error: DC250
}
