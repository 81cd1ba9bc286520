// path: src/services/orders.ts
import { Queue } from 'bullmq';

const receiptQueue = new Queue('receipts');  // error: DC151

export async function payOrder(prisma: any, id: string) {
  await prisma.$transaction(async (tx: any) => {  // error: DC250
    await tx.order.update({ where: { id }, data: { status: 'paid' } });
    await receiptQueue.add('receipt', { id });  // error: DC708  // error: DC151, DC715
  });
  await receiptQueue.add('audit', { id });  // ok: DC708  // error: DC151, DC715
  const seen = new Set<string>();
  await prisma.$transaction(async (tx: any) => {  // error: DC250
    seen.add(id);  // ok: DC708
  });
}
