const { schedule } = require("../lib/cron");
const db = require("../db");

schedule("*/5 * * * *", async () => {
  const expired = await db.sessions.findExpired();
  for (const s of expired) {
    await db.sessions.remove(s.id);
    await db.audit.insert({ session: s.id, at: Date.now() });
  }
});
