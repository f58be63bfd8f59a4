// A rolling reload with open websockets, as real processes: serve({ workers: 2 }) in a child,
// SIGHUP to its primary. Each retired worker closes its websockets with 1012 (service restart)
// and its app hears websocket.disconnect 1012; a client that reconnects lands on a new worker.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import WebSocket from 'ws'

import { alive, readyUrl, startMachine } from './support/cluster.ts'
import { closeOf, nextMessage, wsUrl } from './support/websocket.ts'

/** Opens a websocket and reads the pid the worker sends right after its accept. */
async function connect(url: string): Promise<{ client: WebSocket; pid: number }> {
  const client = new WebSocket(url)
  const first = nextMessage(client)
  await new Promise((resolve, reject) => {
    client.once('open', resolve)
    client.once('error', reject)
  })
  return { client, pid: (JSON.parse(String(await first)) as { pid: number }).pid }
}

test('SIGHUP with open websockets: each client gets close code 1012 from its retiring worker, its app websocket.disconnect 1012, and a reconnect reaches a new worker that echoes', async (t) => {
  const machine = startMachine({})
  t.after(() => machine.destroy())
  const url = wsUrl(await readyUrl(machine), '/')
  // Two connections: node:cluster hands them out round-robin, so both workers hold one.
  const open = [await connect(url), await connect(url)]
  const oldPids = new Set(open.map((c) => c.pid))
  const closes = open.map((c) => closeOf(c.client))
  machine.child.kill('SIGHUP')
  for (const closed of await Promise.all(closes)) assert.equal(closed.code, 1012)
  const disconnects = await machine.waitFor(
    () => machine.count('websocket disconnect') === open.length,
    'every retired worker told its app',
    20_000,
  )
  assert.ok(disconnects !== undefined)
  assert.deepEqual(
    machine
      .events()
      .filter((line) => line.event === 'websocket disconnect')
      .map((line) => line.code),
    open.map(() => 1012),
  )
  await machine.waitFor((line) => line.event === 'cluster reload' && line.step === 'done', 'reload done', 30_000)
  const again = await connect(url)
  t.after(() => again.client.terminate())
  assert.ok(!oldPids.has(again.pid), `reconnected to ${again.pid}, one of the retired workers ${[...oldPids].join(', ')}`)
  for (const pid of oldPids) assert.equal(alive(pid), false, `retired worker ${pid} still runs`)
  again.client.send('still here')
  assert.equal(await nextMessage(again.client), 'still here')
})
