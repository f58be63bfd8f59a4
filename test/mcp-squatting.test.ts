// Session squatting against mcpApp, on real sockets: an attacker on 127.0.0.2 opens as many
// sessions as it can, each with a GET stream, every request pipelined on one TCP socket, and
// pings them all; the legitimate client on 127.0.0.1 must still get a session within 2 s.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { mcpApp, type McpAppOptions } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { host } from './fixtures/agent-host.ts'
import { heapAfterGc, MiB } from './support/heap.ts'
import { initializeMessage, mcpPost, mcpStream, sessionIds, socketFrom, until } from './support/attacker.ts'

function pingServer(): McpServer {
  const server = new McpServer({ name: 'squat', version: '1.0.0' })
  server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
  return server
}

async function hostMcp(options: Partial<McpAppOptions>) {
  const mcp = mcpApp({ server: pingServer, ...options })
  const hosted = await host(router([mount('/mcp', mcp)]))
  return { ...hosted, mcp, endpoint: `${hosted.url}/mcp` }
}

/**
 * The attack: `count` initializes pipelined on one socket, then for every session handed out a
 * GET stream and a ping, all pipelined on that same socket behind the first stream (which never
 * ends, so Node queues every later answer and still hands each request to the app).
 */
async function squat(port: number, count: number) {
  const socket = await socketFrom(port)
  socket.write(Array.from({ length: count }, (_, i) => mcpPost('/mcp', initializeMessage(i + 1))).join(''))
  const answered = await until(socket, (text) => (text.match(/^HTTP\/1\.1 /gm) ?? []).length >= count, 60_000)
  const ids = sessionIds(answered)
  const streams = ids.map((id) => mcpStream('/mcp', id)).join('')
  const pings = ids.map((id, i) => mcpPost('/mcp', { jsonrpc: '2.0', id: 10_000 + i, method: 'ping' }, id)).join('')
  socket.write(streams + pings)
  // Every pipelined request reaches the app in a moment; give it that moment.
  await sleep(500)
  return { socket, sessions: ids.length }
}

/** The legitimate client: the SDK's own, from 127.0.0.1; how long until its tool call answered, or its error. */
async function legitimateCall(endpoint: string): Promise<{ ms: number; outcome: string }> {
  const started = performance.now()
  const client = new Client({ name: 'legit', version: '1' })
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)))
    const result = await client.callTool({ name: 'ping' })
    return { ms: performance.now() - started, outcome: JSON.stringify(result.content) }
  } catch (error) {
    return { ms: performance.now() - started, outcome: String(error) }
  } finally {
    await client.close().catch(() => undefined)
  }
}

test('one address pipelining 1,000 sessions with a GET stream each and pinging them holds at most its per-client share; 127.0.0.1 gets in within 2 s', async () => {
  const { endpoint, port, mcp, close } = await hostMcp({})
  try {
    const before = heapAfterGc()
    const attack = await squat(port, 1_000)
    const held = { sessions: mcp.sessionCount, streams: mcp.streamCount }
    const grown = (heapAfterGc() - before) / MiB
    const legit = await legitimateCall(endpoint)
    console.log(
      `attacker: ${attack.sessions} initializes answered, holds ${held.sessions} sessions and ${held.streams} GET streams, heap +${grown.toFixed(1)} MiB after GC, RSS ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB; legitimate client: ${legit.outcome} after ${legit.ms.toFixed(0)} ms`,
    )
    assert.ok(grown < 40, `the heap grew by ${grown.toFixed(1)} MiB`)
    assert.equal(legit.outcome, JSON.stringify([{ type: 'text', text: 'pong' }]))
    assert.ok(legit.ms < 2_000, `the legitimate client waited ${legit.ms.toFixed(0)} ms`)
    assert.ok(held.sessions <= 100, `one address holds ${held.sessions} sessions`)
    assert.ok(held.streams <= 100, `one address holds ${held.streams} GET streams`)
    attack.socket.destroy()
  } finally {
    await close()
  }
})

test('at the session cap a session whose only activity is a quiet GET stream is evicted for a newcomer; its stream ends and its id answers 404', async () => {
  // The per-client caps are above the whole table here: one address can fill it (as many
  // addresses could), so only eviction at the cap can let the newcomer in.
  const { endpoint, port, mcp, close } = await hostMcp({ maxSessions: 50, maxSessionsPerClient: 50, maxStreamsPerClient: 50 })
  try {
    const attack = await squat(port, 50)
    const ids = sessionIds(attack.socket.received())
    assert.equal(attack.sessions, 50)
    assert.equal(mcp.sessionCount, 50)
    assert.equal(mcp.streamCount, 50, 'every attacker session holds a GET stream')
    const legit = await legitimateCall(endpoint)
    console.log(`table full of GET-streaming sessions: legitimate client ${legit.outcome} after ${legit.ms.toFixed(0)} ms`)
    assert.equal(legit.outcome, JSON.stringify([{ type: 'text', text: 'pong' }]))
    assert.ok(legit.ms < 2_000, `the legitimate client waited ${legit.ms.toFixed(0)} ms`)
    assert.ok(mcp.sessionCount <= 50)
    // The legitimate client's own GET stream ends as it closes; the evicted session's ended with it.
    for (let waited = 0; mcp.streamCount >= 50 && waited < 2_000; waited += 50) await sleep(50)
    assert.ok(mcp.streamCount < 50, `${mcp.streamCount} streams still open`)
    const statuses = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        })
        await response.text()
        return response.status
      }),
    )
    assert.ok(statuses.includes(404), `the evicted session's id answers 404 (got ${[...new Set(statuses)].join(', ')})`)
    attack.socket.destroy()
  } finally {
    await close()
  }
})

test('behind trustProxy the caps count the forwarded client: one forwarded address at its cap gets 429, another through the same proxy gets in, and the proxy is exempt from maxConnectionsPerClient', async () => {
  const mcp = mcpApp({ server: pingServer, maxSessionsPerClient: 1 })
  const server = await serve(router([mount('/mcp', mcp)]), {
    port: 0,
    signals: false,
    logger: false,
    trustProxy: ['127.0.0.2'],
    maxConnectionsPerClient: 2,
  })
  const port = Number(new URL(server.url).port)
  // The proxy on 127.0.0.2: five connections (past the per-client cap of 2), forwarding for two clients.
  const proxy = await Promise.all(Array.from({ length: 5 }, () => socketFrom(port)))
  const forwardedFor = (client: string, request: string) => request.replace('\r\n', `\r\nX-Forwarded-For: ${client}\r\n`)
  const answer = async (socket: (typeof proxy)[number], request: string) => {
    const before = socket.received().length
    socket.write(request)
    const text = await until(socket, (t) => /\r\n\r\n/.test(t.slice(before)) && /mcp-session-id|retry-after/i.test(t.slice(before)), 10_000)
    return text.slice(before)
  }
  try {
    const first = await answer(proxy[0]!, forwardedFor('10.0.0.1', mcpPost('/mcp', initializeMessage(1))))
    const [id] = sessionIds(first)
    assert.ok(id, 'the first client has a session')
    // Its session holds a GET stream, so it is not idle and cannot make room for another.
    proxy[1]!.write(forwardedFor('10.0.0.1', mcpStream('/mcp', id!)))
    for (let waited = 0; mcp.streamCount === 0 && waited < 5_000; waited += 20) await sleep(20)
    const refused = await answer(proxy[2]!, forwardedFor('10.0.0.1', mcpPost('/mcp', initializeMessage(2))))
    const other = await answer(proxy[3]!, forwardedFor('10.0.0.2', mcpPost('/mcp', initializeMessage(3))))
    assert.match(refused, /^HTTP\/1\.1 429 /)
    assert.match(refused, /this client holds too many active sessions/)
    assert.match(other, /^HTTP\/1\.1 200 /)
    assert.equal(proxy.filter((s) => s.destroyed).length, 0, 'the trusted proxy keeps all five connections')
  } finally {
    for (const socket of proxy) socket.destroy()
    await server.close()
  }
})
