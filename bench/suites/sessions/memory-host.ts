// Forked by memory.ts with --expose-gc: mcpApp with MAX_SESSIONS sessions at most, answering
// 'rss' over IPC with its RSS and live heap after a full GC.

import { mcpApp } from '../../../src/mcp/app.ts'
import { mount, router, serve } from '../../../src/index.ts'
import { benchMcpServer } from '../mcp/tool.ts'

const mcp = mcpApp({ server: benchMcpServer, maxSessions: Number(process.env.MAX_SESSIONS) })
const server = await serve(router([mount('/mcp', mcp)]), { port: 0, signals: false, logger: false })
process.on('message', (message) => {
  if (message !== 'rss') return
  // Evicted sessions close in the background: let those closes run first.
  setTimeout(() => {
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    gc?.()
    const { rss, heapUsed } = process.memoryUsage()
    process.send?.({ rss, heap: heapUsed, sessions: mcp.sessionCount })
  }, 200)
})
process.on('disconnect', () => process.exit(0))
process.send?.({ port: Number(new URL(server.url).port) })
