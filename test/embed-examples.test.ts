// The two embedding examples, each run as a real process with real clients and a real signal:
// examples/express-host.ts (MCP and A2A inside an existing Express app) and
// examples/legacy-express-child.ts (an existing Express app as a child of serve()).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { Message } from '@a2a-js/sdk'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { sendParams, textOf } from './fixtures/a2a-executor.ts'
import { freePort } from './support/observe.ts'
import { startFixture, waitForPort } from './support/process.ts'

const expressHost = new URL('../examples/express-host.ts', import.meta.url).pathname
const legacyChild = new URL('../examples/legacy-express-child.ts', import.meta.url).pathname

test('express-host: the MCP and A2A clients reach the agent at /agent beside the Express routes; SIGTERM flushes and exits 0', async (t) => {
  const running = startFixture(expressHost, {}, await freePort())
  t.after(() => running.child.kill('SIGKILL'))
  await waitForPort(running)
  assert.deepEqual(await (await fetch(`${running.url}/api/hello`)).json(), { hello: 'from express' })
  const echoed = await fetch(`${running.url}/api/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  })
  assert.deepEqual(await echoed.json(), { a: 1 })

  const mcp = new Client({ name: 'example-test', version: '1.0.0' })
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${running.url}/agent/mcp`)))
  assert.deepEqual((await mcp.callTool({ name: 'visits' })).content, [{ type: 'text', text: '1' }])
  await mcp.close()

  const a2a = await new ClientFactory().createFromUrl(`${running.url}/agent/`)
  assert.equal((await a2a.getAgentCard()).supportedInterfaces[0]?.url, `${running.url}/agent/`)
  assert.equal(textOf((await a2a.sendMessage(sendParams('hi'))) as Message), 'visits: 2')

  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  const out = running.stdout()
  assert.ok(out.indexOf('visits counter started') < out.indexOf('visits flushed: 2'), out)
  assert.match(out, /express-host: stopped/)
})

test('legacy-express-child: the Express routes answer under /legacy, a request in flight at SIGTERM completes, the hooks run once, exit 0', async (t) => {
  const running = startFixture(legacyChild, { SLOW_MS: '300' }, await freePort())
  t.after(() => running.child.kill('SIGKILL'))
  await waitForPort(running)
  assert.deepEqual(await (await fetch(`${running.url}/legacy/users`)).json(), ['ada', 'grace'])
  assert.deepEqual(await (await fetch(`${running.url}/health`)).json(), { ok: true })
  assert.equal((await fetch(`${running.url}/legacy/missing`)).status, 404)

  const slow = fetch(`${running.url}/legacy/slow`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  running.child.kill('SIGTERM')
  const response = await slow
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { done: true, users: ['ada', 'grace'] })
  assert.equal(await running.exit, 0)
  const out = running.stdout()
  assert.equal(out.match(/database opened/g)?.length, 1)
  assert.equal(out.match(/database closed/g)?.length, 1)
  assert.ok(out.indexOf('database opened') < out.indexOf('database closed'))
})
