// path: src/inventory/reserve.js
const { Product, sequelize } = require("./models");

async function reserve(id, qty) {
  await Product.decrement("stock", { by: qty, where: { id } });  // error: DC250
  await prisma.product.update({ where: { id }, data: { stock: { decrement: qty } } });  // error: DC250
  const label = "lock: true";  // ok: DC250
}

async function reserveLocked(id, qty) {
  return sequelize.transaction(async (t) => {  // error: DC250
    const p = await Product.findByPk(id, { lock: t.LOCK.UPDATE, transaction: t });  // error: DC250
    p.stock = p.stock - qty;  // ok: DC350
    await p.save({ transaction: t });
  });
}

async function prismaLostUpdate(id, qty) {
  const item = await prisma.item.findUnique({ where: { id } });
  await prisma.item.update({ where: { id }, data: { stock: item.stock - qty } });  // error: DC350
}

function tally(counter) {
  counter.total = counter.total + 1;  // ok: DC350
  counter.save();
}
