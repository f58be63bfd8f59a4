// The agent on every core: agent({ workers: 'auto' }) runs this script as a primary and one
// worker per core. MCP sessions and A2A tasks work from every worker: a session lives in the
// worker that created it and requests for it are relayed there; tasks live in the primary, and
// a cancel or a subscription reaches the worker that runs the task. The clock runs once, in
// the primary.
//
//   npx tsx examples/agent-cluster.ts          # WORKERS=2 to pick the count, PORT and HOST honoured
//   kill -HUP <primary pid>                    # replaces every worker, one at a time; finished tasks stay

import cluster from 'node:cluster'

import { Role } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutor } from '@a2a-js/sdk/server'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { agent } from '../src/agent/agent.ts'

/** One MCP server per session; its tool says which worker holds the session. */
function mcpServer(): McpServer {
  const server = new McpServer({ name: 'tsgi-agent-cluster', version: '1.0.0' })
  server.registerTool('worker_pid', { description: 'The pid of the worker holding this session' }, async () => ({
    content: [{ type: 'text', text: String(process.pid) }],
  }))
  return server
}

/** Answers any message with the pid of the worker that ran it. */
const executor: AgentExecutor = {
  async execute(context, bus) {
    const parts = [
      {
        content: { $case: 'text' as const, value: `worker ${process.pid} heard you` },
        metadata: undefined,
        filename: '',
        mediaType: 'text/plain',
      },
    ]
    bus.publish(
      AgentEvent.message({
        messageId: crypto.randomUUID(),
        contextId: context.contextId,
        taskId: '',
        role: Role.ROLE_AGENT,
        parts,
        metadata: {},
        extensions: [],
        referenceTaskIds: [],
      }),
    )
  },
  async cancelTask() {},
}

let clock: NodeJS.Timeout | undefined
const server = await agent({
  workers: process.env.WORKERS === undefined ? 'auto' : Number(process.env.WORKERS),
  mcp: { server: () => mcpServer() },
  a2a: { card: { name: 'Workers', description: 'Says which worker answered' }, executor },
  allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
  // Once per machine, whatever the number of workers.
  primary: {
    onStartup: [
      () => {
        console.log(`clock started in the primary (pid ${process.pid})`)
        clock = setInterval(() => undefined, 1_000)
      },
    ],
    onShutdown: [
      () => {
        clearInterval(clock)
        console.log('clock stopped in the primary')
      },
    ],
  },
  onStartup: [() => console.log(`worker ${process.pid} started`)],
})
if (cluster.isPrimary) console.log(`agent on ${server.workers.length} workers at ${server.url}`)
