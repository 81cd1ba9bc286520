// path: src/workspaces/create.ts
// SQL's row lock in a raw query, upper case or after the query's own words; a message that says
// "for update" in prose is no lock.
import { prisma } from "../db";
export async function lockOwner(userId: string) {
  await prisma.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;  // error: DC250
  await db.raw("select id from users where id = ? for update", [userId]);  // error: DC250
  await db.raw("select id from jobs where status = 'queued' limit 1 for update skip locked");  // error: DC250
  if (!userId) throw new Error("Missing _id for update");  // ok: DC250
}
