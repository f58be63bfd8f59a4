// Per-client caps on requests relayed between workers. Under agent({ workers: 2 }) a v1 MCP
// session lives in the worker that made it, and a request for it that lands on the other worker
// is relayed to the owner over a unix socket, which has no client address of its own: the
// entry worker passes the client's along, and the owner counts the request under it. An
// attacker on 127.0.0.2 spreading its GET streams over fresh connections (so about half are
// relayed) is held to maxStreamsPerClient as on one process, even when it sends the relay's own
// header to pose as someone else, while 127.0.0.1's streams on the same owner still get in.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

import { initializeMessage, mcpPost, socketFrom, until } from './support/attacker.ts'
import { startMachine, type Machine } from './support/cluster.ts'

const agentFixture = new URL('./fixtures/agent-cluster.ts', import.meta.url).pathname
const STREAMS_PER_CLIENT = 2

let machine: Machine
let port: number
const held: Array<{ destroy(): void }> = []

before(async () => {
  machine = startMachine({ MCP_OPTIONS: JSON.stringify({ maxStreamsPerClient: STREAMS_PER_CLIENT }) }, agentFixture)
  const ready = await machine.waitFor((e) => e.event === 'primary ready', 'primary ready', 60_000)
  port = Number(new URL(ready.url as string).port)
})

after(() => {
  for (const socket of held) socket.destroy()
  machine.destroy()
})

/** One request on a connection of its own from `from`; resolves with the answer's head (and the socket, left open). */
async function freshRequest(from: string, raw: string) {
  const socket = await socketFrom(port, from)
  held.push(socket)
  socket.write(raw)
  const text = await until(socket, (t) => t.includes('\r\n\r\n'), 10_000)
  return { status: Number(text.slice(9, 12)), head: text.slice(0, text.indexOf('\r\n\r\n')), socket }
}

/** A session of `from`'s, initialized (and told so) on fresh connections; its id names its owner's pid. */
async function session(from: string): Promise<{ id: string; owner: number }> {
  const { head, socket } = await freshRequest(from, mcpPost('/mcp', initializeMessage(1)))
  socket.destroy()
  const id = /mcp-session-id: (\S+)/i.exec(head)![1]!
  const told = await freshRequest(from, mcpPost('/mcp', { jsonrpc: '2.0', method: 'notifications/initialized' }, id))
  told.socket.destroy()
  assert.equal(told.status, 202, told.head)
  return { id, owner: Number(id.split('-')[0]) }
}

/** `count` sessions of `from`'s that all live in worker `owner` (fresh connections alternate between the workers). */
async function sessionsOwnedBy(from: string, owner: number, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let tries = 0; ids.length < count && tries < count * 6; tries++) {
    const made = await session(from)
    if (made.owner === owner) ids.push(made.id)
  }
  assert.equal(ids.length, count, `worker ${owner} made ${ids.length} of ${count} sessions`)
  return ids
}

function stream(id: string, extra = ''): string {
  return (
    `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
    `Mcp-Session-Id: ${id}\r\nMcp-Protocol-Version: ${LATEST_PROTOCOL_VERSION}\r\n${extra}\r\n`
  )
}

test('an attacker spreading GET streams over fresh connections on two workers is held to maxStreamsPerClient, and another client still gets in', {
  timeout: 60_000,
}, async () => {
  const first = await session('127.0.0.2')
  const attackerSessions = [first.id, ...(await sessionsOwnedBy('127.0.0.2', first.owner, 5))]
  const statuses: number[] = []
  // One stream per session (the SDK allows one standalone stream per session), each on a fresh
  // connection: about half land on the owner, the rest on the other worker, which relays them.
  // Each poses as 127.0.0.9 with the relay's own header, which a client must never be trusted with.
  for (const id of attackerSessions) {
    statuses.push((await freshRequest('127.0.0.2', stream(id, 'Tsgi-Relay-Client: ["127.0.0.9",1]\r\n'))).status)
  }
  assert.deepEqual(
    statuses.toSorted(),
    [...Array(STREAMS_PER_CLIENT).fill(200), ...Array(attackerSessions.length - STREAMS_PER_CLIENT).fill(429)],
    `the attacker's streams were answered ${statuses.join(', ')}`,
  )

  // Another client's streams on the same owner, also over fresh connections (so relayed too).
  const own = await sessionsOwnedBy('127.0.0.1', first.owner, STREAMS_PER_CLIENT)
  const ours: number[] = []
  for (const id of own) ours.push((await freshRequest('127.0.0.1', stream(id))).status)
  assert.deepEqual(ours, Array(STREAMS_PER_CLIENT).fill(200))
})
