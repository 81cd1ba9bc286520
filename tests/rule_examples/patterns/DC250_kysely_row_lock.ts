// path: apps/server/src/core/space/space-member.service.ts
// A Kysely row lock and an application's own transaction helper around it (docmost's
// last-admin check, made safe against two concurrent demotions).
import { KyselyTransaction } from '@docmost/db/types/kysely.types';
import { executeTx } from '@docmost/db/utils';

export class SpaceMemberService {
  async updateRole(dto: { spaceId: string; role: string }) {
    await executeTx(this.db, async (trx: KyselyTransaction) => { // error: DC250
      await trx
        .selectFrom('spaces')
        .where('id', '=', dto.spaceId)
        .forUpdate() // error: DC250
        .executeTakeFirst();
      await this.repo.updateRole(dto.role, trx); // ok: DC250
    });
    await this.audit.executeReport(dto.spaceId); // ok: DC250
  }
}
