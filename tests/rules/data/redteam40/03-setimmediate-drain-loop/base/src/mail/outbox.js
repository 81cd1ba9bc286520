'use strict';
const Redis = require('ioredis');
const { transport } = require('./transport');

// Sends queued mail: the web process pushes JSON onto `outbox`, every app process drains it.
class Outbox {
  constructor(url) {
    this.redis = new Redis(url);
    this.stopped = false;
  }

  start() {
    this._pump();
  }

  stop() {
    this.stopped = true;
  }

  async _pump() {
    if (this.stopped) return;
    try {
      const raw = await this.redis.brpoplpush('outbox', 'outbox:processing', 5);
      if (raw) {
        await this._deliver(JSON.parse(raw));
        await this.redis.lrem('outbox:processing', 1, raw);
      }
    } catch (err) {
      console.error('outbox', err);
    }
    setImmediate(() => this._pump());
  }

  async _deliver(message) {
    const first = await this.redis.set(`outbox:sent:${message.id}`, '1', 'EX', 86400, 'NX');
    if (!first) return;
    await transport.sendMail(message);
  }
}

module.exports = { Outbox };
