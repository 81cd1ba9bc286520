import { Knex } from 'knex';

export class AccountService {
    constructor(private readonly db: Knex, private readonly events: EventBus) {}

    async transferCredits(fromId: number, toId: number, amount: number): Promise<void> {
        await this.db.transaction(async (trx) => {
            const from = await trx('accounts').where({ id: fromId }).first();
            if (from.credits < amount) {
                throw new Error('insufficient credits');
            }
            await trx('accounts').where({ id: fromId }).decrement('credits', amount);
            await trx('accounts').where({ id: toId }).increment('credits', amount);
        });
        this.events.emit('credits.transferred', { fromId, toId, amount });
    }
}
