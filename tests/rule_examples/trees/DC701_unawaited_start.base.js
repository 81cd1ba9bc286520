// path: server/startupSchemaUpgrade.js
const { runSchemaUpgrade } = require('./lib/schemaUpgradeSteps');

Meteor.startup(() => {
  // Deliberately not awaited: the server takes requests while the upgrade runs.
  (async () => {
    const db = getDb();
    await runSchemaUpgrade(db, { batch: 100 });
  })();
});

(async () => {
  await loadSettings();
})();
