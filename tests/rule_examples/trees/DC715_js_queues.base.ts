// path: src/routes/runs.ts
import { Queue } from "bullmq";
import PgBoss from "pg-boss";
import { addJob } from "../storage/graphileWorker";

const exportQueue = new Queue("exports");
const boss = new PgBoss(process.env.DATABASE_URL);

export async function startRun(req, res) {
  await addJob("execute-run", { runId: req.params.id });
  res.status(202).end();
}

export async function exportAll(req, res) {
  await exportQueue.add("export", { userId: req.user.id });
  res.end();
}

export async function remind(userId: string) {
  await boss.send("reminders", { userId });
}

export async function tidy(ids: string[]) {
  const queue = new Set<string>();
  ids.forEach((id) => queue.add(id));
  return queue;
}
