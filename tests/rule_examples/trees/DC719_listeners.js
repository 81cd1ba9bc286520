// path: outbound/hmail.js
class HMailItem {
  try_deliver(socket, host) {
    socket.on('error', (err) => {  // error: DC719
      this.release_and_retry(err)
    })
    socket.once('timeout', () => {  // error: DC719
      socket.emit('error', 'timeout')
    })
    socket.on('data', (chunk) => this.read(chunk.toString()))  // ok: DC719
    socket.once('connect', () => this.send_greeting(host))  // ok: DC719
    socket.once('close', () => this.closed())  // ok: DC719
  }
}

module.exports = HMailItem
