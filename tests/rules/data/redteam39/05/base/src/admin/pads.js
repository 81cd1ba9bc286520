'use strict';

const { getPad } = require('../db/PadManager');

exports.socketio = (hookName, { io }) => {
  io.of('/settings').on('connection', (socket) => {
    socket.on('createPad', async (padName) => {
      await getPad(padName, 'Welcome');
      socket.emit('results:createPad', { success: `Pad ${padName} created` });
    });
  });
};
