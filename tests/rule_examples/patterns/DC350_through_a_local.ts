// path: src/models/schedule.ts
import { ScheduleModel } from "./db";

export async function recordPublishFailure(id: string) {
  const doc = await ScheduleModel.findOne({ id });
  const attempts = (doc.publishAttempts ?? 0) + 1;  // error: DC350
  await ScheduleModel.updateOne({ id }, { $set: { publishAttempts: attempts } });
}

export async function recordLabel(id: string, label: string) {
  const doc = await ScheduleModel.findOne({ id });
  const title = (doc.title ?? "") + label;  // ok: DC350 (written as another field)
  await ScheduleModel.updateOne({ id }, { $set: { heading: title } });
}
