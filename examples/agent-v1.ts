// The MCP half of the main job on the v1 SDK (@modelcontextprotocol/sdk, the 2025 protocol),
// with stateful sessions: for clients that need what only a session gives, server-to-client
// requests (sampling, elicitation) and the GET notification stream. examples/agent.ts serves
// the same tool on the v2 SDK, stateless, beside an A2A agent.
//
//   npx tsx examples/agent-v1.ts   (PORT, HOST, TICK_MS honoured)
//
// MCP (streamable HTTP, one session per client) is at /mcp with one tool, `scheduler_ticks`,
// reading a scheduler that onStartup starts before the port opens and onShutdown stops after
// the last stream ended.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { agent } from '../src/agent/agent.ts'
import type { LifespanContext } from '../src/index.ts'

interface Ticker {
  ticks: number
  timer: NodeJS.Timeout
}

const tickerOf = (state: Record<string, unknown>): Ticker => state.ticker as Ticker

/** One MCP server per session; its tool reads the ticker that startup put in the state. */
function mcpServer({ state }: { state: Record<string, unknown> }): McpServer {
  const server = new McpServer({ name: 'tsgi-agent-v1-example', version: '1.0.0' })
  server.registerTool('scheduler_ticks', { description: 'How many times the background scheduler has ticked' }, async () => ({
    content: [{ type: 'text', text: String(tickerOf(state).ticks) }],
  }))
  return server
}

const host = process.env.HOST !== undefined && process.env.HOST !== '' ? process.env.HOST : '127.0.0.1'
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host)

const server = await agent({
  host,
  transport: 'mcp',
  // On a loopback address, only loopback Host headers: no DNS rebinding from a web page.
  ...(loopback ? { allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] } : {}),
  mcp: { server: mcpServer, maxSessions: 1_000, sessionIdleMs: 15 * 60_000 },
  onStartup: [
    function startScheduler({ state, logger }: LifespanContext) {
      const ticker: Ticker = { ticks: 0, timer: setInterval(() => ticker.ticks++, Number(process.env.TICK_MS ?? 1000)) }
      state.ticker = ticker
      logger.info('scheduler started')
    },
  ],
  onShutdown: [
    function stopScheduler({ state, logger }: LifespanContext) {
      const ticker = tickerOf(state)
      clearInterval(ticker.timer)
      logger.info(`scheduler stopped after ${ticker.ticks} ticks`)
    },
  ],
  health: true,
})

const mcpCall = `import('@modelcontextprotocol/sdk/client/index.js').then(async ({ Client }) => { const { StreamableHTTPClientTransport: T } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js'); const t = new T(new URL('${server.url}/mcp')); const c = new Client({ name: 'cli', version: '1' }); await c.connect(t); console.log(t.sessionId, JSON.stringify(await c.callTool({ name: 'scheduler_ticks' }))); await c.close() })`
console.info(`
MCP (v1, sessions)  ${server.url}/mcp  (tool: scheduler_ticks)
  node -e "${mcpCall.replaceAll('"', '\\"')}"
Ctrl-C stops it gracefully.`)
