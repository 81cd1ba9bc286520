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

new Worker("signup", signup);  // error: DC150
new Worker("signup-safe", signupSafe);  // error: DC150
