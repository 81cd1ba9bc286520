// path: src/workers/orders.ts
import { Worker } from "bullmq";
import { Product } from "../models";

// ok: DC150
// new Worker("orders") in a comment is not a worker.
const label = "new Worker(";  // ok: DC150

export const worker = new Worker("orders", async (job) => {  // error: DC150  // error: DC701
  const product = await Product.findByPk(job.data.productId);  // ok: DC260
  product.stock = product.stock - job.data.qty;  // error: DC350
  await product.save();  // error: DC260
}, { concurrency: 4 });  // error: DC510
