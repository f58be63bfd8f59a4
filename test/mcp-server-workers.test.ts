// mcpServerApp under agent({ workers: 2, mcp }) with its defaults: the real SDK clients (v2 pinned to
// 2026-07-28, and v1) on fresh TCP connections, so consecutive requests land on either worker.
// What must hold on every worker: plain calls, a multi-round input_required flow whose signed
// requestState one worker minted and another verified, and a notification published in one
// worker reaching a listener whose stream another worker holds.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { startMachine, type Machine } from './support/cluster.ts'
import { sleep } from './support/observe.ts'
import { connections, legacyClient, modernClient, toolJson } from './support/mcp-clients.ts'

const hostScript = new URL('./fixtures/mcp-server/cluster-host.ts', import.meta.url).pathname
let machine: Machine
let endpoint: string

before(async () => {
  machine = startMachine({}, hostScript)
  // Generous: two workers each load both SDKs, on a machine that may be busy.
  const ready = await machine.waitFor((line) => line.event === 'primary ready', 'primary ready', 60_000)
  endpoint = `${ready.url}/mcp`
})

after(async () => {
  machine.child.kill('SIGTERM')
  const exited = await Promise.race([machine.exit, sleep(10_000).then(() => null)])
  machine.destroy()
  assert.equal(exited, 0, `the machine did not stop cleanly on SIGTERM; stderr:\n${machine.stderr()}`)
})

for (const era of ['2026-07-28', '2025-era'] as const) {
  test(`a ${era} client succeeds 20 times out of 20 on fresh connections, and both workers answer`, { timeout: 60_000 }, async () => {
    const pids = new Set<unknown>()
    const failures: string[] = []
    const opened = connections.opened
    const requests = connections.requests
    for (let i = 0; i < 20; i++) {
      try {
        const client = era === '2026-07-28' ? await modernClient(endpoint) : await legacyClient(endpoint)
        // Two calls: each request is a connection of its own, and the balancer alternates them,
        // so a client with an even number of requests would meet the same worker every time.
        for (let call = 0; call < 2; call++) {
          const answer = toolJson(await client.callTool({ name: 'whoami', arguments: {} }))
          assert.equal(answer.marker, `worker ${answer.pid}`, 'the factory saw its own worker lifespan state')
          pids.add(answer.pid)
        }
        await client.close()
      } catch (error) {
        failures.push(String(error))
      }
    }
    assert.deepEqual(failures, [])
    assert.equal(pids.size, 2, `answered by ${[...pids].join(', ')}`)
    const made = connections.requests - requests
    assert.ok(made >= 60, `only ${made} requests`)
    assert.ok(connections.opened - opened >= made, `${made} requests rode ${connections.opened - opened} connections`)
  })
}

test('a multi-round input_required flow passes under workers: 2, requestState minted by one worker and verified by the other', {
  timeout: 60_000,
}, async () => {
  let crossed = 0
  for (let i = 0; i < 6; i++) {
    const client = await modernClient(endpoint)
    const answer = toolJson(await client.callTool({ name: 'confirm', arguments: {} }))
    await client.close()
    assert.equal(answer.confirmed, true, JSON.stringify(answer))
    assert.equal(answer.rounds, 3)
    if (answer.lastSignedBy !== answer.checkedBy) crossed++
  }
  assert.ok(crossed > 0, 'no round ever crossed workers, so the shared key was not exercised')
})

test('notify.toolsChanged() in one worker reaches a client listening through the other', { timeout: 60_000 }, async () => {
  const listener = await modernClient(endpoint)
  let heard = 0
  listener.setNotificationHandler('notifications/tools/list_changed', async () => void heard++)
  const subscription = await listener.listen({ toolsListChanged: true })
  const announcers = new Set<unknown>()
  let published = 0
  // Each call is a fresh connection, and they alternate between the workers: once both have
  // announced, one of them was not the worker that holds the listen stream.
  const announcer = await modernClient(endpoint)
  for (let i = 0; i < 10 && announcers.size < 2; i++) {
    announcers.add(toolJson(await announcer.callTool({ name: 'announce', arguments: {} })).pid)
    published++
  }
  await announcer.close()
  assert.equal(announcers.size, 2, 'both workers announced')
  for (let waited = 0; heard < published && waited < 5_000; waited += 20) await sleep(20)
  assert.equal(heard, published, `heard ${heard} of ${published} notifications`)
  await subscription.close()
  await listener.close()
})
