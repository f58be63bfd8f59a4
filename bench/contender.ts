// What every bench/suites/*/servers/*.ts file shares: listen on an ephemeral port on 127.0.0.1, tell the
// parent the port over IPC, answer its CPU-time questions, and exit when the parent goes away.

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
  // CPU time spent by this process: on a shared machine it is steadier than req/s, because
  // waiting for a core does not count.
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ cpuMicros: user + system })
    }
  })
  process.send?.({ port })
  process.on('disconnect', () => process.exit(0))
}
