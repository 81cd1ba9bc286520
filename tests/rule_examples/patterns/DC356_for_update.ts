// path: src/workspaces/create.ts
import { prisma } from "../db";
export async function lockOwner(userId: string) {
  await prisma.user.findUnique({ where: { id: userId } });
}
