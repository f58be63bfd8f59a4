// agent() takes serve()'s scale-out options; stdio, one pipe to one process, refuses them by name.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

import { agent } from '../src/agent/agent.ts'
import { InvalidArgumentError } from '../src/protocol/errors.ts'

const mcp = { server: () => new McpServer({ name: 'x', version: '1.0.0' }) }

test("agent({ transport: 'stdio' }) refuses workers, primary, restart and reloadGraceMs with an InvalidArgumentError naming each", async () => {
  const refused = [
    { workers: 2 },
    { workers: 'auto' as const },
    { primary: { onStartup: [] } },
    { restart: { maxCrashes: 1 } },
    { reloadGraceMs: 10 },
  ]
  for (const option of refused) {
    const name = Object.keys(option)[0]!
    await assert.rejects(
      agent({ mcp, transport: 'stdio', signals: false, logger: false, ...option }),
      (error: Error) => error instanceof InvalidArgumentError && error.message.includes(`'${name}'`) && /stdio/.test(error.message),
      name,
    )
  }
})

test('agent() with a bad workers value is refused by serve() before anything starts', async () => {
  await assert.rejects(agent({ mcp, transport: 'mcp', port: 0, signals: false, logger: false, workers: 0 }), /workers must be an integer/)
})
