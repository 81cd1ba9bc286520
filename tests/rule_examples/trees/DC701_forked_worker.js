// path: server/services/sender-worker.js
const knex = require('../lib/knex');

async function processQueuedMessages(sendConfigurationId, messages) {
    for (const msg of messages) {
        await knex('queued').where('id', msg.id).where('attempts', '<', 3).del();  // error: DC701
    }
}

process.on('message', msg => {
    if (msg && msg.type === 'process-queued-messages') {
        processQueuedMessages(msg.data.sendConfigurationId, msg.data.messages.slice(0, 100));  // error: DC701, DC717
    }
});

// A signal handler is no worker's message handler.
process.on('SIGTERM', () => process.exit(0));  // ok: DC701

module.exports.render = body => body.trim().slice(0, 1000);  // ok: DC701
