// tsgi/mcp-server (the v2 SDK's createMcpHandler as an app) against the SDK's own clients over
// real sockets: what tsgi adds around the handler (host check, CORS, bearer auth, the body
// limit, the drain, close() at shutdown, the lifespan state) and agent()'s protections over a
// built app.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRequestStateCodec, McpServer, type RequestStateCodec } from '@modelcontextprotocol/server'

import { agent, agentApp } from '../src/agent/agent.ts'
import { mount, router, serve, type App } from '../src/index.ts'
import { mcpApp } from '../src/mcp/app.ts'
import { mcpServerApp, type McpServerAppOptions } from '../src/mcp-server/app.ts'
import { InvalidArgumentError } from '../src/protocol/errors.ts'
import { host } from './fixtures/agent-host.ts'
import { demoServer } from './fixtures/mcp-server/demo-server.ts'
import { expectBodyLimit, rpcErrorOf, rpcHeaders } from './support/mcp-http.ts'
import { legacyClient, modernClient, toolJson } from './support/mcp-clients.ts'

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})

function demo(options: Partial<McpServerAppOptions> = {}) {
  const mcp = mcpServerApp({ server: (context) => demoServer(context), ...options })
  return mcp
}

async function hostDemo(options: Partial<McpServerAppOptions> = {}) {
  const mcp = demo(options)
  const hosted = await host(router([mount('/mcp', mcp)]))
  return { ...hosted, mcp, endpoint: `${hosted.url}/mcp` }
}

test('a 2026-07-28 client and a 2025-era client both call a tool, and the factory sees the lifespan state', async () => {
  const server = await serve(router([mount('/mcp', demo())]), {
    port: 0,
    logger: false,
    signals: false,
    onStartup: [
      ({ state }) => {
        state.marker = 'set at startup'
      },
    ],
  })
  try {
    const modern = await modernClient(`${server.url}/mcp`)
    assert.equal(modern.getProtocolEra(), 'modern')
    assert.equal(toolJson(await modern.callTool({ name: 'whoami', arguments: {} })).marker, 'set at startup')
    assert.equal(toolJson(await modern.callTool({ name: 'confirm', arguments: {} })).rounds, 3)
    await modern.close()
    const legacy = await legacyClient(`${server.url}/mcp`)
    assert.equal(toolJson(await legacy.callTool({ name: 'whoami', arguments: {} })).marker, 'set at startup')
    await legacy.close()
  } finally {
    await server.close()
  }
})

test('a Host outside allowedHosts gets 403 naming it; a CORS preflight from an allowed origin gets 204, another origin 403', async () => {
  const { port, endpoint, close } = await hostDemo({ allowedHosts: ['localhost'], cors: { origins: ['http://app.example'] } })
  try {
    const refused = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: initialize })
    assert.equal(refused.status, 403)
    assert.equal((await rpcErrorOf(refused)).message, "Host '127.0.0.1' is not allowed; allowed: localhost")
    const local = `http://localhost:${port}/mcp`
    const preflight = (origin: string) => fetch(local, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
    const allowed = await preflight('http://app.example')
    assert.equal(allowed.status, 204)
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.example')
    assert.match(allowed.headers.get('access-control-allow-headers')!, /Mcp-Protocol-Version/)
    assert.equal((await preflight('http://evil.example')).status, 403)
    const answered = await fetch(local, { method: 'POST', headers: { ...rpcHeaders, origin: 'http://app.example' }, body: initialize })
    assert.equal(answered.status, 200)
    assert.equal(answered.headers.get('access-control-allow-origin'), 'http://app.example')
    await answered.body?.cancel()
    const client = await modernClient(local)
    assert.equal((await client.listTools()).tools.length, 3)
    await client.close()
  } finally {
    await close()
  }
})

test('bearer auth: no token or a wrong one gets 401 with WWW-Authenticate and no detail; a good one reaches the tool as authInfo', async () => {
  const auth = {
    verify: async (token: string) => (token === 'good' ? { token, clientId: 'client-7', scopes: ['mcp'] } : null),
    resourceMetadataUrl: 'http://127.0.0.1/.well-known/oauth-protected-resource',
  }
  const { endpoint, close } = await hostDemo({ auth })
  try {
    const none = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: initialize })
    assert.equal(none.status, 401)
    assert.equal(none.headers.get('www-authenticate'), `Bearer resource_metadata="${auth.resourceMetadataUrl}"`)
    assert.equal((await rpcErrorOf(none)).message, 'Unauthorized')
    const wrong = await fetch(endpoint, { method: 'POST', headers: { ...rpcHeaders, authorization: 'Bearer bad' }, body: initialize })
    assert.equal(wrong.status, 401)
    assert.match(wrong.headers.get('www-authenticate')!, /error="invalid_token"/)
    await wrong.body?.cancel()
    const modern = await modernClient(endpoint, { authorization: 'Bearer good' })
    assert.equal(toolJson(await modern.callTool({ name: 'whoami', arguments: {} })).client, 'client-7')
    await modern.close()
    const legacy = await legacyClient(endpoint, { authorization: 'Bearer good' })
    assert.equal(toolJson(await legacy.callTool({ name: 'whoami', arguments: {} })).client, 'client-7')
    await legacy.close()
  } finally {
    await close()
  }
})

test('a body past maxBodyBytes gets 413, whether declared or streamed, and bad JSON gets 400', async () => {
  const { endpoint, close } = await hostDemo({ maxBodyBytes: 64 })
  try {
    await expectBodyLimit(endpoint, 64)
    const garbled = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: '{"jsonrpc"' })
    assert.equal(garbled.status, 400)
    assert.equal((await rpcErrorOf(garbled)).code, -32700)
  } finally {
    await close()
  }
})

test('an open subscriptions/listen stream ends when the server drains, so close() does not wait out the drain', async () => {
  const mcp = demo()
  const server = await serve(router([mount('/mcp', mcp)]), { port: 0, logger: false, signals: false, drainTimeoutMs: 10_000 })
  const client = await modernClient(`${server.url}/mcp`)
  const subscription = await client.listen({ toolsListChanged: true })
  const started = Date.now()
  await server.close()
  assert.ok(Date.now() - started < 3_000, `close() took ${Date.now() - started} ms with a listen stream open`)
  assert.equal(await subscription.closed, 'remote')
  await client.close()
})

test('the lifespan shutdown closes the handler: a tool call in flight is aborted, and a request after it gets 503 with Retry-After', async () => {
  let entered!: () => void
  const inFlight = new Promise<void>((resolve) => (entered = resolve))
  let aborted = false
  const mcp = mcpServerApp({
    server: () => {
      const server = new McpServer({ name: 'slow', version: '1.0.0' })
      server.registerTool('wait', { description: 'Waits until cancelled' }, async (ctx) => {
        entered()
        await new Promise<void>((resolve) => ctx.mcpReq.signal.addEventListener('abort', () => resolve()))
        aborted = true
        return { content: [] }
      })
      return server
    },
  })
  const { url, shutdown, close } = await host(router([mount('/mcp', mcp)]))
  try {
    const client = await modernClient(`${url}/mcp`)
    const call = client.callTool({ name: 'wait', arguments: {} }).catch((error: unknown) => error)
    await inFlight
    await shutdown()
    for (let waited = 0; !aborted && waited < 3_000; waited += 10) await sleep(10)
    assert.ok(aborted, 'the tool call was not aborted by the shutdown')
    await client.close()
    await call
    const late = await fetch(`${url}/mcp`, { method: 'POST', headers: rpcHeaders, body: initialize })
    assert.equal(late.status, 503)
    assert.equal(late.headers.get('retry-after'), '5')
    assert.match((await rpcErrorOf(late)).message, /shutting down/)
  } finally {
    await close()
  }
})

test('requestStateKey is the key the factory signs with; another key cannot verify what it signed', async () => {
  const key = 'k'.repeat(32)
  let seen: RequestStateCodec | undefined
  const mcp = mcpServerApp({
    server: (context) => {
      seen = context.requestState
      return demoServer(context)
    },
    requestStateKey: key,
  })
  const { url, close } = await host(router([mount('/mcp', mcp)]))
  try {
    const client = await modernClient(`${url}/mcp`)
    await client.callTool({ name: 'whoami', arguments: {} })
    await client.close()
    const minted = await seen!.mint({ round: 1 })
    assert.deepEqual(await createRequestStateCodec({ key }).verify(minted, {} as never), { round: 1 })
    await assert.rejects(createRequestStateCodec({ key: 'z'.repeat(32) }).verify(minted, {} as never))
  } finally {
    await close()
  }
})

test('mcpServerApp refuses unknown and bad options when it is built, naming the option and never showing a key', () => {
  const server = () => new McpServer({ name: 'x', version: '1' })
  assert.throws(
    () => mcpServerApp({ server, alowedHosts: [] } as never),
    /mcpServerApp\(\) has no option 'alowedHosts'; did you mean 'allowedHosts'\?/,
  )
  assert.throws(() => mcpServerApp({} as never), /needs \{ server/)
  assert.throws(() => mcpServerApp({ server, legacy: 'sessions' as never }), /legacy must be 'stateless' or 'reject', got 'sessions'/)
  assert.throws(() => mcpServerApp({ server, responseMode: 'xml' as never }), /responseMode must be/)
  assert.throws(() => mcpServerApp({ server, bus: {} as never }), /bus must be a ServerEventBus/)
  assert.throws(() => mcpServerApp({ server, keepAliveMs: -1 }), /keepAliveMs must be 0 or a positive integer/)
  assert.throws(() => mcpServerApp({ server, maxSubscriptions: 0 }), /maxSubscriptions must be a positive integer/)
  assert.throws(() => mcpServerApp({ server, maxBodyBytes: 1.5 }), /maxBodyBytes must be a positive integer/)
  assert.throws(
    () => mcpServerApp({ server, requestStateKey: 'secret-but-short' }),
    (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError)
      assert.match(error.message, /requestStateKey must be at least 32 bytes long, got 16/)
      assert.doesNotMatch(error.message, /secret-but-short/)
      return true
    },
  )
  const saved = process.env.TSGI_MCP_REQUEST_STATE_KEY
  process.env.TSGI_MCP_REQUEST_STATE_KEY = 'short'
  try {
    assert.throws(() => mcpServerApp({ server }), /TSGI_MCP_REQUEST_STATE_KEY must be at least 32 bytes long/)
  } finally {
    if (saved === undefined) delete process.env.TSGI_MCP_REQUEST_STATE_KEY
    else process.env.TSGI_MCP_REQUEST_STATE_KEY = saved
  }
})

test("agent()'s allowedHosts and auth protect a built mcpServerApp or mcpApp; the app's own setting wins; a plain app is refused", async () => {
  const auth = { verify: async (token: string) => (token === 'good' ? { token, clientId: 'agent-client', scopes: [] } : null) }
  const cases: Array<[string, App, number]> = [
    ['mcpServerApp without its own hosts', demo(), 403],
    ['mcpServerApp with its own hosts', demo({ allowedHosts: ['127.0.0.1'] }), 401],
    ['mcpApp without its own hosts', mcpApp({ server: () => new McpServer({ name: 'x', version: '1' }) as never }), 403],
  ]
  for (const [name, mcp, status] of cases) {
    const { app } = agentApp({ mcp, transport: 'mcp', allowedHosts: ['localhost'], auth })
    const { url, close } = await host(app)
    try {
      const response = await fetch(`${url}/mcp`, { method: 'POST', headers: rpcHeaders, body: initialize })
      assert.equal(response.status, status, name)
      await response.body?.cancel()
    } finally {
      await close()
    }
  }
  const { app } = agentApp({ mcp: demo(), transport: 'mcp', auth })
  const { port, close } = await host(app)
  try {
    const client = await modernClient(`http://localhost:${port}/mcp`, { authorization: 'Bearer good' })
    assert.equal(toolJson(await client.callTool({ name: 'whoami', arguments: {} })).client, 'agent-client')
    await client.close()
  } finally {
    await close()
  }
  const plain: App = async () => {}
  assert.throws(
    () => agentApp({ mcp: plain, transport: 'mcp', cors: { origins: ['http://a.example'] } }),
    /cannot apply cors to the app passed as 'mcp'/,
  )
  assert.doesNotThrow(() => agentApp({ mcp: plain, transport: 'mcp' }))
  await assert.rejects(agent({ mcp: demo(), transport: 'stdio' }), /transport 'stdio' needs mcp options/)
  assert.throws(() => agentApp({ transport: 'mcp' }), /transport 'mcp' needs the 'mcp' option/)
})
