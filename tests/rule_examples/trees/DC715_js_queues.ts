// path: src/routes/runs.ts
import { Queue } from "bullmq";
import PgBoss from "pg-boss";
import { addJob } from "../storage/graphileWorker";

const exportQueue = new Queue("exports");
const boss = new PgBoss(process.env.DATABASE_URL);

export async function startRun(req, res) {
  await addJob("execute-run", { runId: req.params.id }, { maxAttempts: 1 });  // error: DC715
  res.status(202).end();
}

export async function exportAll(req, res) {
  // The same call, moved below a new line: not new.
  res.setHeader("x-export", "queued");
  await exportQueue.add("export", { userId: req.user.id });  // ok: DC715  // error: DC151
  res.end();
}

export async function remind(userId: string, at: Date) {
  await boss.sendAfter("reminders", { userId }, {}, at);  // error: DC715
}

export async function tidy(ids: string[]) {
  const queue = new Set<string>();
  ids.forEach((id) => queue.add(id.trim()));  // ok: DC715  // error: DC151
  return queue;
}

export async function drain(ids: string[]) {
  // An in-process queue built from no job library's class (BullMQ's own AsyncFifoQueue).
  const pendingQueue = new AsyncFifoQueue<string>(true);
  ids.forEach((id) => pendingQueue.add(id));  // ok: DC715  // error: DC151
  return pendingQueue;
}
