const express = require('express');
const orders = require('../lib/orders');
const audit = require('../lib/audit');

const router = express.Router();

router.post('/orders/:id/cancel', (req, res, next) => {
  orders.cancel(req.params.id).then(() => {
    audit.record(req.user.id, 'cancel', req.params.id);
    res.status(204).end();
  }, next);
});

module.exports = router;
