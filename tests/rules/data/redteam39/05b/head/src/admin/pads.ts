import { getPad as loadPad } from '../db/PadManager.js'

export function register(socket: any) {
  socket.on('createPad', async (padName: string) => {
    loadPad(padName, 'Welcome')
    socket.emit('results:createPad', { success: `Pad ${padName} created` })
  })
}
