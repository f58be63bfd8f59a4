// mcpApp's bounded sessions, against real sockets: the memory cap measured in a child process
// with a 160 MB heap, eviction and expiry seen by raw requests and the SDK's own client.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { mcpApp, type McpAppOptions } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { host } from './fixtures/agent-host.ts'
import { inParallel, post, startMemoryChild } from './support/memory-child.ts'

const MB = 1024 * 1024
const accept = { accept: 'application/json, text/event-stream' }
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})

// What the cap bounds is the heap: 1,000 live sessions, then flat however many more clients
// come. RSS is checked too, more loosely: two measurements of the same state differ by up to
// 15 MB on a busy machine (the allocator's arenas), so a tight RSS bound fails at random.
test('20,000 abandoned sessions against maxSessions 1,000: the count never passes 1,000, the heap stops growing at the cap, and RSS stays within 80 MB', async () => {
  const server = await startMemoryChild({ MODE: 'mcp', MAX: '1000' })
  try {
    // A few sessions first: lazily loaded SDK code and JIT output belong to the start.
    await inParallel(20, 4, async () => void (await post(server.port, '/mcp', initialize, accept)))
    const start = await server.measure()
    const statuses = new Map<number, number>()
    let peak = 0
    let atCap: Awaited<ReturnType<typeof server.measure>> | undefined
    for (let round = 0; round < 10; round++) {
      await inParallel(2_000, 16, async () => {
        const status = await post(server.port, '/mcp', initialize, accept)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      })
      const now = await server.measure()
      peak = Math.max(peak, now.sessions)
      // The first round already reaches the cap (2,000 > 1,000): from here on nothing may grow.
      atCap ??= now
    }
    const end = await server.measure()
    assert.ok(server.alive(), 'the server process is still up')
    assert.deepEqual([...statuses], [[200, 20_000]])
    assert.ok(peak <= 1_000, `sessionCount peaked at ${peak}`)
    assert.equal(end.sessions, 1_000)
    const growth = (end.rss - start.rss) / MB
    const heapGrowth = (end.heap - start.heap) / MB
    const heapAfterCap = (end.heap - atCap!.heap) / MB
    console.log(
      `RSS ${(start.rss / MB).toFixed(0)} -> ${(end.rss / MB).toFixed(0)} MB (+${growth.toFixed(1)}), heap +${heapGrowth.toFixed(1)} MB, of which +${heapAfterCap.toFixed(1)} MB after the cap was reached`,
    )
    assert.ok(heapGrowth < 40, `the heap grew by ${heapGrowth.toFixed(1)} MB for 1,000 sessions`)
    assert.ok(heapAfterCap < 2, `the heap grew by ${heapAfterCap.toFixed(1)} MB over 18,000 sessions past the cap`)
    assert.ok(growth < 80, `RSS grew by ${growth.toFixed(1)} MB`)
  } finally {
    await server.stop()
  }
})

function makeServer(seen?: Array<string | undefined>): McpAppOptions['server'] {
  return ({ sessionId }) => {
    seen?.push(sessionId)
    const server = new McpServer({ name: 'limits', version: '1.0.0' })
    server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
    return server
  }
}

async function hostMcp(options: Partial<McpAppOptions>, seen?: Array<string | undefined>) {
  const mcp = mcpApp({ server: makeServer(seen), ...options })
  const hosted = await host(router([mount('/mcp', mcp)]))
  return { ...hosted, mcp, endpoint: `${hosted.url}/mcp` }
}

async function rawInitialize(endpoint: string): Promise<Response> {
  return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...accept }, body: initialize })
}

async function rawSession(endpoint: string): Promise<string> {
  const response = await rawInitialize(endpoint)
  assert.equal(response.status, 200)
  await response.text()
  return response.headers.get('mcp-session-id')!
}

function ping(endpoint: string, sessionId: string): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...accept,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  })
}

function openStream(endpoint: string, sessionId: string, signal: AbortSignal): Promise<Response> {
  return fetch(endpoint, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
    signal,
  })
}

test('the least recently used idle session is evicted at the cap; its next call gets 404 and the SDK client starts a new session', async () => {
  const seen: Array<string | undefined> = []
  const { endpoint, mcp, close } = await hostMcp({ maxSessions: 2 }, seen)
  try {
    const first = await rawSession(endpoint)
    const second = await rawSession(endpoint)
    assert.equal((await ping(endpoint, first)).status, 200) // now `second` is the least recently used
    const third = await rawSession(endpoint)
    assert.equal(mcp.sessionCount, 2)
    assert.deepEqual(seen, [first, second, third], 'the factory learns each session id')
    const evicted = await ping(endpoint, second)
    assert.equal(evicted.status, 404)
    await evicted.text()
    assert.equal((await ping(endpoint, first)).status, 200)

    // The SDK client holding the evicted id fails with 404, then connects afresh.
    const stale = new Client({ name: 'stale', version: '1' })
    const staleTransport = new StreamableHTTPClientTransport(new URL(endpoint), { sessionId: second })
    await assert.rejects(
      (async () => {
        await stale.connect(staleTransport)
        await stale.callTool({ name: 'ping' })
      })(),
      /404|Session not found/,
    )
    await stale.close().catch(() => undefined)
    const fresh = new Client({ name: 'fresh', version: '1' })
    const freshTransport = new StreamableHTTPClientTransport(new URL(endpoint))
    await fresh.connect(freshTransport)
    assert.deepEqual((await fresh.callTool({ name: 'ping' })).content, [{ type: 'text', text: 'pong' }])
    assert.equal(mcp.sessionCount, 2)
    await fresh.close()
  } finally {
    await close()
  }
})

test('a session with a request in flight is never evicted: at the cap initialize gets 503 with Retry-After; once only its GET stream is left, it makes room', async () => {
  let releaseTool!: () => void
  const released = new Promise<void>((resolve) => (releaseTool = resolve))
  const server: McpAppOptions['server'] = () => {
    const mcp = new McpServer({ name: 'limits', version: '1.0.0' })
    mcp.registerTool('wait', { description: 'Answers once released' }, async () => {
      await released
      return { content: [{ type: 'text', text: 'done' }] }
    })
    return mcp
  }
  const mcp = mcpApp({ server, maxSessions: 1 })
  const hosted = await host(router([mount('/mcp', mcp)]))
  const endpoint = `${hosted.url}/mcp`
  const abort = new AbortController()
  try {
    const only = await rawSession(endpoint)
    const stream = await openStream(endpoint, only, abort.signal)
    assert.equal(stream.status, 200)
    const call = fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...accept, 'mcp-session-id': only, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'wait', arguments: {} } }),
    })
    await sleep(100)
    const refused = await rawInitialize(endpoint)
    assert.equal(refused.status, 503)
    assert.equal(refused.headers.get('retry-after'), '5')
    await refused.text()
    assert.equal(mcp.sessionCount, 1)
    releaseTool()
    assert.equal((await call).status, 200)
    await sleep(50)
    // Only the GET stream is left: the session is quiet, and makes room; its stream ends.
    await rawSession(endpoint)
    assert.equal(await stream.text().then(() => 'ended'), 'ended')
    assert.equal((await ping(endpoint, only)).status, 404)
  } finally {
    abort.abort()
    await hosted.close()
  }
})

test('a session idle past sessionIdleMs is closed, its GET stream ended, and its id answers 404', async () => {
  const { endpoint, mcp, close } = await hostMcp({ sessionIdleMs: 300 })
  const abort = new AbortController()
  try {
    const id = await rawSession(endpoint)
    const stream = await openStream(endpoint, id, abort.signal)
    assert.equal(stream.status, 200)
    const ended = stream.text().then(() => 'ended')
    const outcome = await Promise.race([ended, sleep(5_000).then(() => 'still open')])
    assert.equal(outcome, 'ended')
    assert.equal(mcp.sessionCount, 0)
    const gone = await ping(endpoint, id)
    assert.equal(gone.status, 404)
    await gone.text()
  } finally {
    abort.abort()
    await close()
  }
})

test('session limits are checked when the app is built', () => {
  const server = makeServer()
  assert.throws(() => mcpApp({ server, maxSessions: 0 }), /mcpApp maxSessions must be a positive integer, got 0/)
  assert.throws(() => mcpApp({ server, sessionIdleMs: 1.5 }), /mcpApp sessionIdleMs must be a positive integer, got 1.5/)
  assert.throws(() => mcpApp({ server, eventStore: {} as never }), /mcpApp eventStore must be a function/)
  assert.throws(() => mcpApp({ server, cors: { origins: 'x' } as never }), /mcpApp cors must be/)
  assert.throws(() => mcpApp({ server, auth: {} as never }), /mcpApp auth must be/)
})

test('a live session and its idle timer do not keep the process alive', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/mcp-idle-exit.ts', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  child.stderr!.on('data', (chunk) => (out += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
    assert.match(out, /session open/)
    assert.equal(signal, null, 'it exited by itself, not killed after 15 s')
    assert.equal(code, 0)
  } finally {
    clearTimeout(timer)
    child.kill('SIGKILL')
  }
})
