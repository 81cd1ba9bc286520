// path: src/signing/complete.ts
import { prisma } from '../db';

export const completeSigning = async (id: string) => {
  await prisma.$transaction(async (tx) => {
    await tx.recipient.update({
      where: { id },
      data: { signingStatus: 'SIGNED', signedAt: new Date() },
    });
    await tx.auditLog.create({ data: { recipientId: id } });
  });
};

export const rename = async (id: string, name: string) => {
  await prisma.recipient.update({ where: { id }, data: { name } });
};

export async function claimInvoice(id: string, worker: string) {
  await Invoice.update({ state: 'claimed', worker }, { where: { id, state: 'open' } });
}

export async function detachChildren(ids: string[]) {
  await Document.update({ parentDocumentId: null }, { where: { parentDocumentId: ids } });
}
