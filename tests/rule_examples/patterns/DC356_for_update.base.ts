// path: src/workspaces/create.ts
import { prisma } from "../db";
export async function lockOwner(userId: string) {
  await prisma.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;  // error: DC356
  if (!userId) throw new Error("Missing _id for update");  // ok: DC356
}
