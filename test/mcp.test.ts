// tsgi/mcp against the MCP SDK's own client over real sockets.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { mcpApp, type McpAppOptions } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { host } from './fixtures/agent-host.ts'
import { expectBodyLimit, rpcErrorOf, rpcHeaders } from './support/mcp-http.ts'

function makeServer(counter?: { built: number }) {
  return () => {
    if (counter) counter.built++
    const server = new McpServer({ name: 'test-mcp', version: '1.0.0' })
    server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
    }))
    return server
  }
}

/** The JSON-RPC error a transport-level refusal carries. */

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

async function connect(url: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url))
  const client = new Client({ name: 'test-client', version: '1.0.0' })
  await client.connect(transport)
  return { client, transport }
}

async function hostMcp(options: Partial<McpAppOptions> = {}) {
  const counter = { built: 0 }
  const mcp = mcpApp({ server: makeServer(counter), ...options })
  const hosted = await host(router([mount('/mcp', mcp)]))
  return { ...hosted, mcp, counter, endpoint: `${hosted.url}/mcp` }
}

function initialize(id = 1) {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })
}

test('the SDK client lists and calls a tool in stateful mode, in one session', async () => {
  const { endpoint, mcp, counter, close } = await hostMcp()
  try {
    const { client, transport } = await connect(endpoint)
    assert.match(transport.sessionId ?? '', /^[0-9a-f-]{36}$/)
    const { tools } = await client.listTools()
    assert.deepEqual(
      tools.map((t) => t.name),
      ['add'],
    )
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })
    assert.deepEqual(result.content, [{ type: 'text', text: '5' }])
    assert.equal(mcp.sessionCount, 1)
    assert.equal(counter.built, 1)
    await client.close()
  } finally {
    await close()
  }
})

test('the SDK client lists and calls a tool in stateless mode, a fresh server per request', async () => {
  const { endpoint, mcp, counter, close } = await hostMcp({ stateless: true })
  try {
    const { client, transport } = await connect(endpoint)
    assert.equal(transport.sessionId, undefined)
    const { tools } = await client.listTools()
    assert.deepEqual(
      tools.map((t) => t.name),
      ['add'],
    )
    const result = await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } })
    assert.deepEqual(result.content, [{ type: 'text', text: '42' }])
    assert.equal(mcp.sessionCount, 0)
    // initialize, notifications/initialized, tools/list, tools/call: one server each.
    assert.equal(counter.built, 4)
    await client.close()
  } finally {
    await close()
  }
})

test('a stateless app answers GET and DELETE with 405 and an Allow header', async () => {
  const { endpoint, close } = await hostMcp({ stateless: true })
  try {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(endpoint, { method, headers: { accept: 'text/event-stream' } })
      assert.equal(response.status, 405)
      assert.equal(response.headers.get('allow'), 'POST')
      await response.body?.cancel()
    }
  } finally {
    await close()
  }
})

test('DELETE ends a session: the server is closed and the session id is unknown afterwards', async () => {
  const { endpoint, mcp, close } = await hostMcp()
  try {
    const { client, transport } = await connect(endpoint)
    const id = transport.sessionId!
    assert.equal(mcp.sessionCount, 1)
    await transport.terminateSession()
    assert.equal(mcp.sessionCount, 0)
    const after = await fetch(endpoint, {
      method: 'POST',
      headers: { ...rpcHeaders, 'mcp-session-id': id },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    })
    assert.equal(after.status, 404)
    assert.equal((await rpcErrorOf(after)).message, 'Session not found')
    await client.close()
  } finally {
    await close()
  }
})

test('an open SSE stream ends when the app shuts down, and a request after that gets 503', async () => {
  const { endpoint, mcp, shutdown, close } = await hostMcp()
  try {
    const init = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: initialize() })
    const id = init.headers.get('mcp-session-id')!
    await init.text()
    const sse = { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }
    const stream = fetch(endpoint, { headers: sse })
    // The session allows one GET stream: a second one gets 409 once the first is open.
    for (let tries = 0; ; tries++) {
      const second = await fetch(endpoint, { headers: sse })
      await second.body?.cancel()
      if (second.status === 409) break
      assert.ok(tries < 50, `the first GET stream never opened (last status ${second.status})`)
      await sleep(10)
    }
    const started = Date.now()
    await shutdown()
    const response = await stream
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'text/event-stream')
    const reader = response.body!.getReader()
    let result = await reader.read()
    // Nothing but keep-alive comments may come before the end.
    while (!result.done) result = await reader.read()
    assert.ok(Date.now() - started < 1000, `the stream took ${Date.now() - started} ms to end`)
    assert.equal(mcp.sessionCount, 0)
    const late = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: initialize() })
    assert.equal(late.status, 503)
    assert.match((await rpcErrorOf(late)).message, /shutting down/)
  } finally {
    await close()
  }
})

test('a tool call in flight is aborted when the app shuts down', async () => {
  const entered = deferred()
  const aborted = deferred()
  const mcp = mcpApp({
    server: () => {
      const server = new McpServer({ name: 'slow', version: '1.0.0' })
      server.registerTool('wait', { description: 'Waits until cancelled' }, async (extra) => {
        entered.resolve()
        extra.signal.addEventListener('abort', () => aborted.resolve())
        await new Promise(() => {})
        return { content: [] }
      })
      return server
    },
  })
  const { url, shutdown, close } = await host(router([mount('/mcp', mcp)]))
  try {
    const { client } = await connect(`${url}/mcp`)
    const call = client.callTool({ name: 'wait', arguments: {} }).catch((error: unknown) => error)
    await entered.promise
    await shutdown()
    await aborted.promise
    // The POST stream ended without an answer; the client's request fails once it closes.
    await client.close()
    assert.ok((await call) instanceof Error)
  } finally {
    await close()
  }
})

test('a body past maxBodyBytes gets 413, whether declared or streamed', async () => {
  const { endpoint, close } = await hostMcp({ maxBodyBytes: 64 })
  try {
    await expectBodyLimit(endpoint, 64)
  } finally {
    await close()
  }
})

test('a Host outside allowedHosts gets 403 with a sentence naming it; an allowed one is served', async () => {
  const { port, endpoint, close } = await hostMcp({ allowedHosts: ['localhost'] })
  try {
    const refused = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: initialize() })
    assert.equal(refused.status, 403)
    assert.equal((await rpcErrorOf(refused)).message, "Host '127.0.0.1' is not allowed; allowed: localhost")
    const { client } = await connect(`http://localhost:${port}/mcp`)
    assert.equal((await client.listTools()).tools.length, 1)
    await client.close()
  } finally {
    await close()
  }
})

test('requests that cannot be served get the status the MCP spec gives them', async () => {
  const { endpoint, mcp, close } = await hostMcp()
  try {
    const noSession = await fetch(endpoint, {
      method: 'POST',
      headers: rpcHeaders,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    assert.equal(noSession.status, 400)
    assert.match((await rpcErrorOf(noSession)).message, /No valid session ID/)
    const getWithout = await fetch(endpoint, { headers: { accept: 'text/event-stream' } })
    assert.equal(getWithout.status, 400)
    await getWithout.text()
    const badJson = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: '{nope' })
    assert.equal(badJson.status, 400)
    assert.equal((await rpcErrorOf(badJson)).code, -32700)
    const put = await fetch(endpoint, { method: 'PUT', headers: rpcHeaders, body: '{}' })
    assert.equal(put.status, 405)
    assert.equal(put.headers.get('allow'), 'GET, POST, DELETE')
    await put.text()
    // An initialize the transport refuses (wrong Accept) leaves no session behind.
    const refused = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: initialize(),
    })
    assert.equal(refused.status, 406)
    await refused.text()
    assert.equal(mcp.sessionCount, 0)
  } finally {
    await close()
  }
})

test('mcpApp refuses bad options when it is built, naming the option', () => {
  assert.throws(() => mcpApp({} as McpAppOptions), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /server: \(\) => McpServer/ })
  assert.throws(() => mcpApp({ server: makeServer(), maxBodyBytes: -1 }), /maxBodyBytes must be a positive integer/)
  assert.throws(() => mcpApp({ server: makeServer(), allowedHosts: 'localhost' as never }), /allowedHosts must be an array/)
})
