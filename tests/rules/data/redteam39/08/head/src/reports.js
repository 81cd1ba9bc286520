const genericPool = require('generic-pool');
const { createConnection } = require('./warehouse');

const pool = genericPool.createPool({ create: createConnection, destroy: (c) => c.close() }, { max: 10 });

const REGIONS = ['emea', 'amer', 'apac'];

async function withConnection(fn) {
  const conn = await pool.acquire();
  try {
    return await fn(conn);
  } finally {
    await pool.release(conn);
  }
}

async function monthlyTotals(month) {
  return withConnection((conn) => conn.query('SELECT region, sum(total) FROM orders WHERE month = ? GROUP BY region', [month]));
}

async function regions() {
  return REGIONS;
}

module.exports = { monthlyTotals, regions };
