// path: src/workers/email.ts
import { Worker } from "bullmq";

async function sendEmail(job) {
  const user = await users.find(job.data.userId);
  await mailer.send(user.email, job.data.body);
}

export function render(body: string): string {
  return body.trim();
}

new Worker("email", sendEmail, { connection });
