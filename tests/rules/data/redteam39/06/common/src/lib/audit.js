const db = require('./db');

exports.record = async (userId, action, subject) => {
  await db.query('INSERT INTO audit_log (user_id, action, subject) VALUES ($1, $2, $3)', [userId, action, subject]);
};
