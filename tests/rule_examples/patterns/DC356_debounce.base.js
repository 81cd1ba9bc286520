// path: lib/server/bootevent.js
const _ = require('lodash');
function setupListeners(ctx) {
  const updateData = _.debounce(function debounce() {  // error: DC356
    ctx.dataloader.update(ctx.ddata, () => ctx.bus.emit('data-loaded'));
  }, UPDATE_THROTTLE);
  ctx.bus.on('tick', updateData);
  ctx.bus.on('data-received', updateData);
}
