// An existing Express 5 app gains an MCP server and an A2A agent, mounted at /agent, with
// startup and shutdown hooks. Express owns no lifecycle, so this file calls the adapter's
// startup() before listening and close() when a signal arrives.
//
//   npx tsx examples/express-host.ts        (PORT and HOST honoured)
//
// The app's own routes stay as they were: GET /api/hello, POST /api/echo (behind
// express.json()). MCP is at /agent/mcp with one tool, `visits`; A2A at /agent/ (card at
// /agent/.well-known/agent-card.json) answers any message with the visit count.

import { Role } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutor } from '@a2a-js/sdk/server'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import express from 'express'
import { lifespanState } from '../src/a2a/app.ts'
import { agentApp } from '../src/agent/agent.ts'
import { toExpress } from '../src/embed/express.ts'
import type { LifespanContext } from '../src/index.ts'

/** What the hooks own: a counter that must exist before the first request and be flushed after the last. */
class Visits {
  count = 0
  flush(): void {
    console.log(`visits flushed: ${this.count}`)
  }
}

// Types `state.visits` in the hooks, the MCP tool and the executor. In your project: declare module 'tsgi'.
declare module '../src/index.ts' {
  interface State {
    visits: Visits
  }
}

const executor: AgentExecutor = {
  async execute(context, bus) {
    const { visits } = lifespanState(context)
    visits.count++
    bus.publish(
      AgentEvent.message({
        messageId: crypto.randomUUID(),
        contextId: context.contextId,
        taskId: '',
        role: Role.ROLE_AGENT,
        parts: [
          { content: { $case: 'text', value: `visits: ${visits.count}` }, metadata: undefined, filename: '', mediaType: 'text/plain' },
        ],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      }),
    )
  },
  async cancelTask() {},
}

const { app: agentTree } = agentApp({
  mcp: {
    server: ({ state }) => {
      const server = new McpServer({ name: 'express-host-example', version: '1.0.0' })
      server.registerTool('visits', { description: 'How many visits the agent has counted' }, async () => ({
        content: [{ type: 'text', text: String(++state.visits.count) }],
      }))
      return server
    },
  },
  a2a: { card: { name: 'Visit counter', description: 'Counts visits, inside an Express app' }, executor },
})

const mounted = toExpress(agentTree, {
  onStartup: [
    ({ state }: LifespanContext) => {
      state.visits = new Visits()
      console.log('visits counter started')
    },
  ],
  onShutdown: [({ state }: LifespanContext) => state.visits.flush()],
})

const app = express()
app.use(express.json())
app.get('/api/hello', (_req, res) => {
  res.json({ hello: 'from express' })
})
app.post('/api/echo', (req, res) => {
  res.json(req.body)
})
app.use('/agent', mounted)

await mounted.startup()
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const server = app.listen(port, host, () => {
  console.log(`express-host: listening on http://${host}:${port} (MCP at /agent/mcp, A2A at /agent/)`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    // Stop accepting, drain tsgi's streams and run the shutdown hooks, then let the server finish.
    server.close()
    await mounted.close()
    console.log('express-host: stopped')
  })
}
