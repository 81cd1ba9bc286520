// path: outbound/hmail.js
class HMailItem {
  try_deliver(socket, host) {
    socket.once('error', (err) => {
      this.release_and_retry(err)
    })
    socket.on('timeout', () => {
      socket.emit('error', 'timeout')
    })
    socket.on('data', (chunk) => this.read(chunk))
    socket.once('connect', () => this.send_greeting())
  }
}

module.exports = HMailItem
