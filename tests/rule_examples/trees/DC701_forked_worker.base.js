// path: server/services/sender-worker.js
const knex = require('../lib/knex');

async function processQueuedMessages(sendConfigurationId, messages) {
    for (const msg of messages) {
        await knex('queued').where('id', msg.id).del();
    }
}

process.on('message', msg => {
    if (msg && msg.type === 'process-queued-messages') {
        processQueuedMessages(msg.data.sendConfigurationId, msg.data.messages);
    }
});

module.exports.render = body => body.trim();
