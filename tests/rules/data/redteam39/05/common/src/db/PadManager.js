'use strict';

const db = require('./DB');

exports.getPad = async (id, text) => {
  const pad = await db.get(`pad:${id}`);
  if (pad != null) return pad;
  const created = { id, text: text || '' };
  await db.set(`pad:${id}`, created);
  return created;
};

exports.removePad = async (id) => {
  await db.remove(`pad:${id}`);
};
