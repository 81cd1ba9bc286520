// path: src/orders/moved.ts
import { sequelize, Product } from "../models";
export async function reserve(id: number, qty: number, t) {
  const opts = { lock: t.LOCK.UPDATE, transaction: t };  // ok: DC356
  const p = await Product.findByPk(id, opts);
  return p;
}
