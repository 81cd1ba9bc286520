// path: packages/ozone/src/daemon/stats-computer.ts
export class StatsComputer {
  async run(client: PoolClient) {
    const { rows } = await client.query(
      `SELECT pg_try_advisory_lock(hashtextextended(current_database(), $1)) AS acquired`,  // error: DC250
      [STATS_LOCK_ID],
    )
    if (!rows[0].acquired) return
    await this.materializeAll()
    await client.query('SELECT pg_advisory_unlock($1)', [STATS_LOCK_ID])  // error: DC250
    const advisory = 'not a lock'  // ok: DC250
  }
}
