// What every bench/servers/*.ts file shares: listen on an ephemeral port on 127.0.0.1, tell the
// parent the port over IPC, and exit when the parent goes away.

import type { Server } from 'node:http'

export function announce(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
    announcePort(address.port)
  })
}

/** For contenders that listen by themselves (serve()). */
export function announcePort(port: number): void {
  process.send?.({ port })
  process.on('disconnect', () => process.exit(0))
}
