// path: server/startupSchemaUpgrade.js
const { runSchemaUpgrade } = require('./lib/schemaUpgradeSteps');

Meteor.startup(() => {
  // Deliberately not awaited: the server takes requests while the upgrade runs.
  (async () => {
    const db = getDb();
    await runSchemaUpgrade(db, { batch: 500 });  // error: DC701
  })();
});

// At a module's top level the same form is a script awaiting its main code, before anything else.
(async () => {
  await loadSettings({ reload: true });  // ok: DC701
})();
