// path: src/orders/moved.ts
import { sequelize, Product } from "../models";
export async function reserve(id: number, qty: number, t) {
  const p = await Product.findByPk(id, { lock: t.LOCK.UPDATE, transaction: t });  // error: DC250
  return p;
}
