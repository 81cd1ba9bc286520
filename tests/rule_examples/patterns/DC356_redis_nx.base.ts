// path: src/services/claim.ts
import { redis } from "../redis";

export async function claim(id: string): Promise<boolean> {
  return (await redis.set(`claim:${id}`, "1", "EX", 60, "NX")) === "OK"; // error: DC356
}
