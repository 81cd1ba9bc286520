const cron = require("node-cron");

function schedule(expression, task) {
  return cron.schedule(expression, task, { timezone: process.env.TZ || "UTC" });
}

module.exports = { schedule };
