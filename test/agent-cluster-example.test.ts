// examples/agent-cluster.ts as a real machine of two workers: MCP sessions answer from both
// workers over fresh connections, the A2A agent answers, the primary's clock starts once, and
// SIGTERM stops everything with exit 0.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

import { userMessage } from './fixtures/a2a-executor.ts'
import { freshA2aClient, freshFetch } from './support/fresh-clients.ts'
import { sleep } from './support/observe.ts'

const example = new URL('../examples/agent-cluster.ts', import.meta.url).pathname

test('the agent-cluster example: MCP and A2A answer from two workers, the primary clock runs once, SIGTERM exits 0', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', example], {
    env: { ...process.env, PORT: '0', WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  })
  let out = ''
  child.stdout.on('data', (chunk) => (out += chunk))
  child.stderr.on('data', (chunk) => (out += chunk))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let url: string | undefined
  for (const deadline = Date.now() + 60_000; url === undefined && Date.now() < deadline; await sleep(50)) {
    url = /agent on 2 workers at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
  }
  assert.ok(url !== undefined, out)

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
  const a2a = await freshA2aClient(url, 10_000)
  const reply = (await a2a.sendMessage({ tenant: '', message: userMessage('hi'), configuration: undefined, metadata: {} })) as {
    parts: Array<{ content: { value: string } }>
  }
  assert.match(reply.parts[0]!.content.value, /^worker \d+ heard you$/)
  assert.equal(pids.size, 2, 'sessions on both workers answered')

  child.kill('SIGTERM')
  assert.equal(await exit, 0)
  assert.equal(out.match(/clock started in the primary/g)?.length, 1)
  assert.equal(out.match(/clock stopped in the primary/g)?.length, 1)
  assert.equal(out.match(/worker \d+ started/g)?.length, 2)
})
