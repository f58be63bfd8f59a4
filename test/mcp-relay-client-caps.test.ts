// Per-client caps on two workers. Under agent({ workers: 2 }) a v1 MCP session lives in the
// worker that made it, and a request for it that lands on the other worker is relayed to the
// owner over a unix socket, which has no client address of its own: the entry worker passes the
// client's along, and the owner counts the request under it. The counts are the machine's (the
// primary keeps them), since a client's connections are spread over both workers. An attacker
// on 127.0.0.2 spreading its sessions and GET streams over fresh connections (so some are
// relayed) is held to maxSessionsPerClient and maxStreamsPerClient as on one process, even when
// it sends the relay's own header to pose as someone else, while 127.0.0.1 still gets in.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

import { initializeMessage, mcpPost, socketFrom, until } from './support/attacker.ts'
import { liveWorkerPids, startMachine, type Machine } from './support/cluster.ts'

const agentFixture = new URL('./fixtures/agent-cluster.ts', import.meta.url).pathname
const STREAMS_PER_CLIENT = 2
const SESSIONS_PER_CLIENT = 4

let machine: Machine
let port: number
const held: Array<{ destroy(): void }> = []

before(async () => {
  machine = startMachine(
    { MCP_OPTIONS: JSON.stringify({ maxStreamsPerClient: STREAMS_PER_CLIENT, maxSessionsPerClient: SESSIONS_PER_CLIENT }) },
    agentFixture,
  )
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

/** `initialize` on a fresh connection from `from`: the session's id (its owner's pid first), or the status it was refused with. */
async function initialize(from: string): Promise<{ id: string; owner: number } | { status: number }> {
  const { status, head, socket } = await freshRequest(from, mcpPost('/mcp', initializeMessage(1)))
  socket.destroy()
  if (status !== 200) return { status }
  const id = /mcp-session-id: (\S+)/i.exec(head)![1]!
  return { id, owner: Number(id.split('-')[0]) }
}

async function sessions(from: string, count: number): Promise<Array<{ id: string; owner: number }>> {
  const made: Array<{ id: string; owner: number }> = []
  for (let i = 0; i < count; i++) {
    const session = await initialize(from)
    assert.ok('id' in session, `initialize ${i} from ${from} was refused with ${'status' in session ? session.status : ''}`)
    made.push(session)
  }
  return made
}

function stream(id: string, extra = ''): string {
  return (
    `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
    `Mcp-Session-Id: ${id}\r\nMcp-Protocol-Version: ${LATEST_PROTOCOL_VERSION}\r\n${extra}\r\n`
  )
}

/** The relay's own header, which a client must never be trusted with: here, posing as another address. */
const POSING = 'Tsgi-Relay-Client: ["127.0.0.9",1]\r\n'

test('an attacker spreading sessions and GET streams over two workers is held to the per-client caps as on one process, and another client still gets in', {
  timeout: 60_000,
}, async () => {
  // Consecutive fresh connections alternate between the workers: the sessions land on both.
  const attacker = await sessions('127.0.0.2', SESSIONS_PER_CLIENT)
  const owners = [...new Set(attacker.map((s) => s.owner))]
  assert.equal(owners.length, 2, `the attacker's sessions live in ${owners.join(', ')}`)
  // Owners in the order A, A, B, B against connections that alternate: two of the four GETs land
  // on the worker that does not own their session and are relayed, whichever worker takes the first.
  const ordered = attacker.toSorted((x, y) => x.owner - y.owner)
  const statuses: number[] = []
  for (const { id } of ordered) statuses.push((await freshRequest('127.0.0.2', stream(id, POSING))).status)
  assert.deepEqual(
    statuses.toSorted(),
    [...Array(STREAMS_PER_CLIENT).fill(200), ...Array(ordered.length - STREAMS_PER_CLIENT).fill(429)],
    `the attacker's streams were answered ${statuses.join(', ')}`,
  )

  // More sessions: at the cap, each takes the place of one of the attacker's own idle sessions
  // (or is refused where that worker has none), so it never holds more than the cap.
  const more: string[] = []
  for (let i = 0; i < SESSIONS_PER_CLIENT; i++) {
    const session = await initialize('127.0.0.2')
    if ('id' in session) more.push(session.id)
    else assert.equal(session.status, 429)
  }
  let live = 0
  for (const id of [...attacker.map((s) => s.id), ...more]) {
    const { status, socket } = await freshRequest('127.0.0.2', mcpPost('/mcp', { jsonrpc: '2.0', id: 7, method: 'ping' }, id))
    socket.destroy()
    if (status === 200) live++
    else assert.equal(status, 404)
  }
  assert.equal(live, SESSIONS_PER_CLIENT, `the attacker holds ${live} live sessions`)

  // Another client: sessions on both workers, a stream on each.
  const own = await sessions('127.0.0.1', 2)
  const ours: number[] = []
  for (const { id } of own) ours.push((await freshRequest('127.0.0.1', stream(id))).status)
  assert.deepEqual(ours, [200, 200])
})

test('a worker that dies takes what it held off the machine count: once both are replaced, the attacker gets its share again', {
  timeout: 60_000,
}, async () => {
  // One at a time, so that one worker always listens (the port stays the primary's).
  for (const pid of liveWorkerPids(machine)) {
    const killedAt = Date.now()
    process.kill(pid, 'SIGKILL')
    await machine.waitFor((e) => e.event === 'cluster exit' && e.workerPid === pid, `worker ${pid} seen gone`, 10_000)
    await machine.waitFor((e) => e.event === 'cluster ready' && e.t > killedAt, `the replacement of ${pid} ready`, 60_000)
  }
  // The attacker's sessions and streams died with their workers; the primary forgot them.
  const again = await sessions('127.0.0.2', STREAMS_PER_CLIENT)
  const statuses: number[] = []
  for (const { id } of again) statuses.push((await freshRequest('127.0.0.2', stream(id))).status)
  assert.deepEqual(statuses, Array(STREAMS_PER_CLIENT).fill(200))
})
