// path: src/workers/email.ts
import { Worker } from "bullmq";

async function sendEmail(job) {
  const user = await users.find(job.data.userId);
  await mailer.send(user.email, job.data.body, { id: job.id });  // error: DC701
}

export function render(body: string): string {
  return body.trim().slice(0, 1000);  // error: DC701[info] (`render` is too generic a name to follow: said, not flagged)
}

new Worker("email", sendEmail, { connection });
