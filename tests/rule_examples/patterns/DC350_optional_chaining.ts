// path: worker/archive.ts
import { prisma } from "./db";

export async function countArchive(userId: number) {
  const owner = await prisma.user.findUnique({ where: { id: userId } });
  await prisma.user.update({ where: { id: userId }, data: { archived: owner?.archived + 1 } });  // error: DC350
}

export async function countWithDefault(userId: number) {
  const owner = await prisma.user.findUnique({ where: { id: userId } });
  await prisma.user.update({ where: { id: userId }, data: { archived: (owner?.archived ?? 0) + 1 } });  // error: DC350
}

export async function countThroughALocal(userId: number) {
  const owner = await prisma.user.findUnique({ where: { id: userId } });
  const archived = (owner?.archived ?? 0) + 1;  // error: DC350
  await prisma.user.update({ where: { id: userId }, data: { archived } });
}

export async function countAtomically(userId: number) {
  await prisma.user.update({ where: { id: userId }, data: { archived: { increment: 1 } } });  // ok: DC350  // error: DC250
}
