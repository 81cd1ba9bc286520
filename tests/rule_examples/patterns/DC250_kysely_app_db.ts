// path: apps/server/src/core/page/page.service.ts
// A Kysely query through the application's own `db`: the file names no ORM, only the query
// builder and its `transaction().execute(…)` say which library it is.
import { db } from '../../database/db';

export class PageService {
  async movePage(pageId: string, parentId: string) {
    await db.transaction().execute(async (trx) => { // error: DC250
      const page = await trx
        .selectFrom('pages')
        .where('id', '=', pageId)
        .forUpdate() // error: DC250
        .executeTakeFirst();
      await trx.updateTable('pages').set({ parentId }).where('id', '=', page.id).execute(); // ok: DC250
    });
    await this.history.describeTransaction(pageId); // ok: DC250
  }
}
