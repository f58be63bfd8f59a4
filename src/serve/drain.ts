// The drain: stop accepting, close idle keep-alive sockets at once, let in-flight responses
// finish until the time runs out, then destroy what remains. Plain node:http would keep a
// socket that goes idle mid-drain open for keepAliveTimeout; Fastify waits up to 72 s here.

import type { Server } from 'node:http'

/** How often sockets whose response just finished are swept while the drain waits. */
const SWEEP_MS = 20

export async function drainServer(server: Server, timeoutMs: number): Promise<'ok' | 'timeout'> {
  if (!server.listening) return 'ok'
  const closed = new Promise<'ok'>((resolve) => server.close(() => resolve('ok')))
  server.closeIdleConnections()
  // A response whose head went out before the drain promised keep-alive; once it ends its
  // socket is idle, and only a sweep notices that without hooking every request.
  const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const outcome = await Promise.race([closed, expired])
  clearInterval(sweep)
  clearTimeout(timer)
  if (outcome === 'timeout') {
    server.closeAllConnections()
    await closed
  }
  return outcome
}
