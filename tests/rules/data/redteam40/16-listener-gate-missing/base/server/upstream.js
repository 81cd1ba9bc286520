'use strict';
const tls = require('tls');
const relays = require('./relays');

// Opens a connection to the upstream SMTP relay for one outgoing message.
function openUpstream(message, done) {
  const conn = tls.connect({ host: message.relay, port: 465 });
  conn.on('error', (err) => {
    relays.markDown(message.relay, err);
    conn.destroy();
  });
  conn.once('secureConnect', () => done(null, conn));
}

module.exports = { openUpstream };
