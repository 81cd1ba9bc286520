// path: server/services/usage.ts
// A model named Metric, imported from the models folder (a path that names metric), and a
// metrics client beside it: the model's `increment(…, { where })` is a row update.
import Metric from "@server/models/Metric";
import statsd from "hot-shots";

export async function bump(id: string) {
  statsd.increment("usage.bump");  // ok: DC250
  await Metric.increment("value", { where: { id } });  // error: DC250
}
