// path: src/services/reservation.ts
import { Prisma, PrismaClient } from "@prisma/client";

export async function reserve(prisma: PrismaClient, userId: string) {
  try {
    return await prisma.reservation.create({ data: { userId } });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {  // error: DC250
      return prisma.reservation.findUniqueOrThrow({ where: { userId } });
    }
    if ((e as { code?: string }).code === "23505") return null;  // error: DC250
    if ((e as { code?: number }).code === 11000) return null;  // error: DC250
    if ((e as { code?: string }).code === "P2025") return null;  // ok: DC250
    throw e;
  }
}
