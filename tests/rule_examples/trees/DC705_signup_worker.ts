// path: src/workers/signup.ts
import { Worker } from "bullmq";

async function signup(job) {  // error: DC701
  const existing = await prisma.user.findFirst({ where: { email: job.data.email } });
  if (!existing) {
    await prisma.user.create({ data: { email: job.data.email } });  // error: DC705  // error: DC260
  }
}

async function signupSafe(job) {  // error: DC701
  await prisma.user.upsert({ where: { email: job.data.email }, create: { email: job.data.email }, update: {} });  // ok: DC705  // error: DC260
}

async function save(job) {  // error: DC701
  if (job.data.id) {
    const previous = await prisma.team.findFirst({ where: { id: job.data.id } });
    return prisma.team.update({ where: { id: previous.id }, data: job.data });  // error: DC260
  } else {
    return prisma.team.create({ data: job.data });  // ok: DC705 (the lookup is in the other branch)  // error: DC260
  }
}

async function upsertWarehouse(job) {  // error: DC701
  let previous;
  if (job.data.id) {
    previous = await prisma.warehouse.findFirst({ where: { id: job.data.id } });
  }
  if (job.data.id) {
    return prisma.warehouse.update({ where: { id: job.data.id }, data: job.data });  // error: DC260
  }
  return prisma.warehouse.create({ data: job.data });  // error: DC705 (no branch keeps it from the lookup)  // error: DC260
}

async function saveWarehouse(job) {  // error: DC701
  if (job.data.id) {
    await prisma.warehouse.findFirst({ where: { id: job.data.id } });
  }
  if (job.data.id) {
    return prisma.warehouse.update({ where: { id: job.data.id }, data: job.data });  // error: DC260
  } else {
    return prisma.warehouse.create({ data: job.data });  // ok: DC705 (the same condition's other branch)  // error: DC260
  }
}

new Worker("signup", signup);  // error: DC150
new Worker("signup-safe", signupSafe);  // error: DC150
new Worker("save", save);  // error: DC150
new Worker("upsert", upsertWarehouse);  // error: DC150
new Worker("save-warehouse", saveWarehouse);  // error: DC150
