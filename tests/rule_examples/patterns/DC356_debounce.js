// path: lib/server/bootevent.js
const _ = require('lodash');
function setupListeners(ctx) {
  const updateData = function updateData() {
    ctx.dataloader.update(ctx.ddata, () => ctx.bus.emit('data-loaded'));
  };
  ctx.bus.on('tick', updateData);
  ctx.bus.on('data-received', updateData);
}
