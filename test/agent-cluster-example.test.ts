// examples/agent-cluster.ts as a real machine of two workers: MCP sessions answer from both
// workers over fresh connections, the A2A agent answers, the primary's clock starts once, and
// SIGTERM stops everything with exit 0.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

import { userMessage } from './fixtures/a2a-executor.ts'
import { freshA2aClient, freshFetch } from './support/fresh-clients.ts'
import { startExample } from './support/example.ts'

test('the agent-cluster example: MCP and A2A answer from two workers, the primary clock runs once, SIGTERM exits 0', async (t) => {
  const example = startExample(t, 'agent-cluster.ts', { PORT: '0', WORKERS: '2' })
  const [, url] = await example.until(/agent on 2 workers at (http:\/\/127\.0\.0\.1:\d+)/)

  const pids = new Set<string>()
  for (let i = 0; i < 4; i++) {
    const client = new Client({ name: 'example-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: freshFetch(10_000) }))
    for (let call = 0; call < 2; call++) {
      const result = (await client.callTool({ name: 'worker_pid' })) as { content: Array<{ text: string }> }
      pids.add(result.content[0]!.text)
    }
    await client.close()
  }
  const a2a = await freshA2aClient(url!, 10_000)
  const reply = (await a2a.sendMessage({ tenant: '', message: userMessage('hi'), configuration: undefined, metadata: {} })) as {
    parts: Array<{ content: { value: string } }>
  }
  assert.match(reply.parts[0]!.content.value, /^worker \d+ heard you$/)
  assert.equal(pids.size, 2, 'sessions on both workers answered')

  example.child.kill('SIGTERM')
  assert.equal(await example.exit, 0)
  assert.equal(example.count(/clock started in the primary/g), 1)
  assert.equal(example.count(/clock stopped in the primary/g), 1)
  assert.equal(example.count(/worker \d+ started/g), 2)
})
