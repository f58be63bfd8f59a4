// tsgi: the same MCP server through agent() with transport 'both', so the request pays the
// router (MCP at /mcp, A2A beside it), the node bridge, the fetch bridge and mcpApp's sessions.

import type { AgentExecutor } from '@a2a-js/sdk/server'

import { agent } from '../../../../src/agent/agent.ts'
import { announcePort } from '../../../contender.ts'
import { benchMcpServer } from '../tool.ts'

/** A2A is mounted but never called in this suite; it only has to exist. */
const idle: AgentExecutor = {
  async execute(_context, bus) {
    bus.finished()
  },
  async cancelTask() {},
}

const server = await agent({
  mcp: { server: benchMcpServer },
  a2a: { card: { name: 'bench', description: 'unused' }, executor: idle },
  port: 0,
  signals: false,
  logger: false,
})
announcePort(Number(new URL(server.url).port))
