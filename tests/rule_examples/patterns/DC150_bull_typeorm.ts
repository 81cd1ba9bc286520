// path: src/workers/stock.ts
import Queue from "bull";
import { AppDataSource } from "../data-source";
import { Product } from "../entity/Product";

const stockQueue = new Queue("stock", "redis://127.0.0.1:6379");  // error: DC151

stockQueue.process(async (job) => {  // error: DC150  // error: DC701
  const repo = AppDataSource.getRepository(Product);
  const product = await repo.findOneBy({ id: job.data.id });  // ok: DC350
  product.stock = product.stock - job.data.qty;  // error: DC350[high]
  await repo.save(product);  // error: DC260[warning]
});

export async function restock(id: number, qty: number) {
  await AppDataSource.getRepository(Product).increment({ id }, "stock", qty);  // error: DC250  // ok: DC350
}
