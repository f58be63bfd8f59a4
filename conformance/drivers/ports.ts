import { createServer, type Server } from 'node:net'

export const HOST = '127.0.0.1'

/** A port nothing listens on right now (the kernel picks it; we release it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Holds a port (for scenarios where the server must find it taken). */
export function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => socket.destroy())
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      if (typeof address !== 'object' || address === null) return reject(new Error('no port'))
      resolve({ port: address.port, release: () => new Promise((done) => server.close(() => done())) })
    })
  })
}
