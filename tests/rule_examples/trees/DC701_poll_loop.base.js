// path: server/services/triggers.js
const knex = require('../lib/knex');

async function run() {
    while (true) {
        const fired = await knex.transaction(async tx => {
            const trigger = await tx('triggers').where('enabled', true).orderBy('last_check', 'asc').first();
            if (!trigger) {
                return false;
            }
            await tx('triggers').update('last_check', new Date()).where('id', trigger.id);
            return true;
        });
        if (!fired) {
            const nextCycle = new Promise(resolve => setTimeout(resolve, 30000));
            await nextCycle;
        }
    }
}

async function once() {
    while (true) {
        const row = await knex('jobs').first();
        if (!row) return;
    }
}

module.exports = { run, once };
