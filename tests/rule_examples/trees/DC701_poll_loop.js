// path: server/services/triggers.js
const knex = require('../lib/knex');

async function run() {
    while (true) {
        const fired = await knex.transaction(async tx => {
            const trigger = await tx('triggers').where('enabled', true).orderBy('last_check', 'asc').first();
            if (!trigger) {
                return false;
            }
            await tx('triggers').update('last_check', new Date(Date.now() - 1000)).where('id', trigger.id);  // error: DC701
            return true;
        });
        if (!fired) {
            const nextCycle = new Promise(resolve => setTimeout(resolve, 30000));
            await nextCycle;
        }
    }
}

// An endless loop that never waits is no poll loop.
async function once() {
    while (true) {
        const row = await knex('jobs').where('done', false).first();  // ok: DC701
        if (!row) return;
    }
}

module.exports = { run, once };
