// The same scheduler and MCP tool as examples/agent.ts, over stdio: an MCP client starts this
// process and talks to it on stdin/stdout. onStartup and onShutdown run exactly as they do over
// HTTP; the process ends when the client closes stdin, or on SIGINT/SIGTERM. stdout carries
// protocol frames only: logs (and console.log) go to stderr.
//
// In an MCP client's configuration (Claude Desktop, the MCP inspector, ...):
//   { "command": "npx", "args": ["tsx", "examples/stdio-agent.ts"], "cwd": "<this repository>" }

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { agent } from '../src/agent/agent.ts'
import type { LifespanContext } from '../src/index.ts'
import { Scheduler } from './scheduler.ts'

function startScheduler({ state, logger }: LifespanContext): void {
  state.scheduler = new Scheduler(Number(process.env.TICK_MS ?? 1000)).start()
  logger.info('scheduler started')
}

async function stopScheduler({ state, logger }: LifespanContext): Promise<void> {
  const { scheduler } = state
  await scheduler.stop()
  logger.info(`scheduler stopped after ${scheduler.ticks} ticks`)
}

await agent({
  transport: 'stdio',
  mcp: {
    server: ({ state }) => {
      const server = new McpServer({ name: 'tsgi-stdio-example', version: '1.0.0' })
      server.registerTool('scheduler_ticks', { description: 'How many times the background scheduler has ticked' }, async () => ({
        content: [{ type: 'text', text: String(state.scheduler.ticks) }],
      }))
      return server
    },
  },
  onStartup: [startScheduler],
  onShutdown: [stopScheduler],
})
// Would corrupt the protocol if it reached stdout; agent() sends it to stderr.
console.log('stdio agent running')
