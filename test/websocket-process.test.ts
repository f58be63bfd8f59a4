import assert from 'node:assert/strict'
import { test } from 'node:test'

import type WebSocket from 'ws'

import { freePort } from './support/observe.ts'
import { startFixture, waitForPort } from './support/process.ts'
import { closeOf, nextMessage, openWs, wsUrl } from './support/websocket.ts'

const chatExample = new URL('../examples/websocket-chat.ts', import.meta.url).pathname

/** Opens `total` websockets, `concurrency` handshakes at a time. */
async function openMany(url: (i: number) => string, total: number, concurrency: number): Promise<WebSocket[]> {
  const clients: WebSocket[] = new Array(total)
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        clients[i] = await openWs(url(i))
      }
    }),
  )
  return clients
}

test('examples/websocket-chat.ts: 1,000 idle websockets drained at SIGTERM, each client getting the last broadcast and close code 1001, exit 0 within drainTimeoutMs + 1 s', async (t) => {
  const drainTimeoutMs = 3000
  const running = startFixture(
    chatExample,
    { DRAIN_TIMEOUT_MS: String(drainTimeoutMs), MAX_CONNECTIONS_PER_CLIENT: '1100' },
    await freePort(),
  )
  t.after(() => running.child.kill('SIGKILL'))
  await waitForPort(running)
  const clients = await openMany((i) => wsUrl(running.url, `/rooms/room-${i % 10}`), 1000, 50)
  const stats = (await (await fetch(`${running.url}/stats`)).json()) as { members: number; rooms: number }
  assert.deepEqual(stats, { members: 1000, rooms: 10 })

  // A message to room-3 reaches its 100 members and no one else.
  const inRoom3 = clients.filter((_, i) => i % 10 === 3)
  const heard = inRoom3.map(nextMessage)
  let strays = 0
  const others = clients.filter((_, i) => i % 10 !== 3)
  const stray = (): void => void strays++
  for (const client of others) client.once('message', stray)
  inRoom3[0]!.send('hello room 3')
  assert.deepEqual(new Set(await Promise.all(heard)), new Set(['hello room 3']))
  for (const client of others) client.off('message', stray)
  assert.equal(strays, 0)

  const lastWords = clients.map(nextMessage)
  const ends = clients.map(closeOf)
  const signalledAt = performance.now()
  running.child.kill('SIGTERM')
  const code = await running.exit
  const took = performance.now() - signalledAt
  assert.equal(code, 0, running.stderr())
  assert.ok(took < drainTimeoutMs + 1000, `the process took ${Math.round(took)} ms to exit`)
  const codes = (await Promise.all(ends)).map((end) => end.code)
  assert.equal(codes.filter((c) => c === 1001).length, 1000, `close codes seen: ${[...new Set(codes)].join(', ')}`)
  assert.deepEqual(new Set(await Promise.all(lastWords)), new Set(['server: shutting down, please reconnect']))
  // The onShutdown hook ran after every websocket had left its room.
  assert.match(running.stdout(), /chat: members left at shutdown: 0/)
})
