// path: src/schedules.js
const cron = require("node-cron");
const Agenda = require("agenda");
const agenda = new Agenda({ db: { address: process.env.MONGO } });
cron.schedule("*/5 * * * *", () => syncInventory());  // error: DC152  // error: DC701
agenda.define("send report", async (job) => report(job));  // error: DC152
// cron.schedule("0 * * * *", old);  // ok: DC152
const text = "agenda.define(";  // ok: DC152
