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
import { host } from './fixtures/agent-host.ts'
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
  const answered = await until(socket, (text) => (text.match(/^HTTP\/1\.1 /gm) ?? []).length >= count, 20_000)
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
    const attack = await squat(port, 1_000)
    const held = { sessions: mcp.sessionCount, streams: mcp.streamCount }
    const legit = await legitimateCall(endpoint)
    console.log(
      `attacker: ${attack.sessions} initializes answered, holds ${held.sessions} sessions and ${held.streams} GET streams; legitimate client: ${legit.outcome} after ${legit.ms.toFixed(0)} ms`,
    )
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
