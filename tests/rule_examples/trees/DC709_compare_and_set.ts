// path: src/signing/complete.ts
import { prisma } from '../db';

export const completeSigning = async (id: string) => {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.recipient.updateMany({  // error: DC709 (the update now only writes a recipient not yet signed)
      where: { id, signingStatus: { not: 'SIGNED' } },
      data: { signingStatus: 'SIGNED', signedAt: new Date() },
    });
    if (count === 0) {
      throw new Error('already signed');
    }
    await tx.auditLog.create({ data: { recipientId: id, at: new Date() } });  // ok: DC709 (not an update)
  });
};

export const rename = async (id: string, name: string) => {
  await prisma.recipient.update({ where: { id }, data: { name: name.trim() } });  // ok: DC709 (the filter names no field it sets)
};

export async function claimInvoice(id: string, worker: string) {
  await Invoice.update({ state: 'claimed', worker }, { where: { id } });  // error: DC709 (the claim no longer checks the invoice is still open)
}

export async function closeInvoice(id: string) {
  await Invoice.update({ state: 'closed' }, { where: { id, state: 'claimed' } });  // ok: DC709 (a new function: new code, not a changed guard)
}

export async function detachChildren(ids: string[]) {
  await Document.unscoped().update({ parentDocumentId: null }, { where: { parentDocumentId: ids } });  // ok: DC709 (the same guard, through a scope of the same model)
}
