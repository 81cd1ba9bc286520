// path: src/orders/reserve.ts
import { sequelize, Product } from "../models";
export async function reserve(id: number, qty: number) {
  await sequelize.transaction(async (t) => {
    const p = await Product.findByPk(id, { lock: t.LOCK.UPDATE, transaction: t });  // error: DC356
    p.stock = p.stock - qty;
    await p.save({ transaction: t });
  });
}
