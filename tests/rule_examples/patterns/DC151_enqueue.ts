// path: src/signup.ts
import { Queue } from "bullmq";
const emailQueue = new Queue("emails");  // error: DC151
export async function signup(user) {
  await emailQueue.add("welcome", { userId: user.id }, { jobId: `welcome-${user.id}` });  // error: DC151, DC250, DC715
  const seen = new Set();
  seen.add(user.id);  // ok: DC151
}
