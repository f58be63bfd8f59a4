// The primary owns the signals, as real processes: SIGTERM puts every worker through its delay
// and drain, then the primary's onShutdown runs; a Ctrl-C to the whole process group shuts down
// once; a second signal kills the workers; a SIGKILLed primary leaves no worker behind.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { request } from 'undici'

import { sleep } from './support/observe.ts'
import { alive, liveWorkerPids, readyUrl, startMachine } from './support/cluster.ts'

test('SIGTERM to the primary: every worker delays (readiness 503, still serving), each shutdown runs once, primary onShutdown last, exit 0', async (t) => {
  const machine = startMachine({ OPTIONS: JSON.stringify({ shutdownDelayMs: 600, health: true }) })
  t.after(() => machine.destroy())
  const url = await readyUrl(machine)
  assert.equal((await request(`${url}/readyz`, { reset: true })).statusCode, 200)
  const signalled = Date.now()
  machine.child.kill('SIGTERM')
  // Both workers: the readiness probe fails at once, requests are still answered, each with Connection: close.
  const readiness: number[] = []
  const served: Array<[number, string | undefined]> = []
  while (Date.now() - signalled < 350) {
    const probe = await request(`${url}/readyz`)
    readiness.push(probe.statusCode)
    await probe.body.dump()
    const response = await request(url)
    served.push([response.statusCode, response.headers.connection as string | undefined])
    await response.body.dump()
  }
  const firstProbes = readiness.slice(-4)
  assert.ok(
    firstProbes.every((s) => s === 503),
    `readiness during the delay: ${readiness}`,
  )
  assert.ok(
    served.every(([status]) => status === 200),
    `served during the delay: ${JSON.stringify(served)}`,
  )
  assert.ok(served.slice(-4).every(([, connection]) => connection === 'close'))
  assert.equal(await machine.exit, 0)
  const events = machine.events()
  assert.equal(machine.count('worker shutdown'), 2)
  assert.equal(machine.count('scheduler stopped'), 1)
  const exits = events.filter((e) => e.event === 'cluster exit')
  assert.equal(exits.length, 2)
  assert.ok(exits.every((e) => e.asked === true && e.code === 0))
  assert.ok(events.find((e) => e.event === 'scheduler stopped')!.t >= Math.max(...exits.map((e) => e.t)))
  assert.ok(Math.min(...exits.map((e) => e.t)) - signalled >= 550, 'the workers exited after their delay')
  assert.equal(machine.count('cluster restart'), 0)
})

test('SIGINT to the whole process group (a Ctrl-C) shuts down once: each worker once, the primary once, no restart, exit 0', async (t) => {
  const machine = startMachine({})
  t.after(() => machine.destroy())
  await readyUrl(machine)
  process.kill(-machine.child.pid!, 'SIGINT')
  assert.equal(await machine.exit, 0)
  assert.equal(machine.count('worker shutdown'), 2)
  assert.equal(machine.count('scheduler stopped'), 1)
  assert.equal(machine.count('cluster fork'), 2)
  assert.equal(machine.count('cluster restart'), 0)
  assert.equal(machine.stdout().match(/SIGINT received; shutting down/g)?.length, 1, 'the primary alone acted on it')
})

test('a second SIGTERM during the shutdown kills the workers and exits 143 at once', async (t) => {
  const machine = startMachine({ OPTIONS: JSON.stringify({ shutdownDelayMs: 5_000 }) })
  t.after(() => machine.destroy())
  await readyUrl(machine)
  const pids = liveWorkerPids(machine)
  machine.child.kill('SIGTERM')
  // Past SAME_KEYPRESS_MS: sooner, the same signal counts as the first one relayed again.
  await sleep(400)
  const second = Date.now()
  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 143)
  assert.ok(Date.now() - second < 1_000)
  const deadline = Date.now() + 1_000
  while (pids.some(alive) && Date.now() < deadline) await sleep(20)
  assert.deepEqual(pids.filter(alive), [], 'no worker outlived the primary')
  assert.equal(machine.count('worker shutdown'), 0, 'they were killed in their delay, not shut down')
})

test('SIGKILL to the primary: every worker runs its own graceful shutdown and is gone within its budget + 1 s', async (t) => {
  // Worker budget: drain 1 s + 2 steps × 1 s (onShutdown[0], the app) = 3 s.
  const budgetMs = 3_000
  const machine = startMachine({ OPTIONS: JSON.stringify({ drainTimeoutMs: 1_000, shutdownTimeoutMs: 1_000 }) })
  t.after(() => machine.destroy())
  await readyUrl(machine)
  const pids = liveWorkerPids(machine)
  assert.equal(pids.length, 2)
  const killed = Date.now()
  process.kill(machine.child.pid!, 'SIGKILL')
  while (pids.some(alive) && Date.now() - killed < budgetMs + 1_000) await sleep(20)
  const goneAfter = Date.now() - killed
  t.diagnostic(`orphans gone ${goneAfter} ms after the primary's SIGKILL`)
  assert.deepEqual(pids.filter(alive), [], 'no orphan stays')
  const shutdowns = machine.events().filter((e) => e.event === 'worker shutdown')
  assert.deepEqual(new Set(shutdowns.map((e) => e.pid)), new Set(pids), 'each ran its onShutdown')
  assert.ok(
    machine
      .events()
      .filter((e) => e.event === 'exit' && e.role === 'worker')
      .every((e) => e.code === 0),
  )
})

test('a worker stuck past its shutdown budget is killed, and the primary still runs its onShutdown and exits 1', async (t) => {
  // Worker budget: drain 200 ms + 2 steps × 200 ms + 1 s to exit = 1.6 s.
  const machine = startMachine({ SCENARIO: 'stuck-shutdown', OPTIONS: JSON.stringify({ drainTimeoutMs: 200, shutdownTimeoutMs: 200 }) })
  t.after(() => machine.destroy())
  await readyUrl(machine)
  const signalled = Date.now()
  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 1)
  const took = Date.now() - signalled
  assert.ok(took >= 1_500 && took < 5_000, `exited ${took} ms after SIGTERM`)
  const exits = machine.events().filter((e) => e.event === 'cluster exit')
  assert.deepEqual(
    exits.map((e) => e.signal),
    ['SIGKILL', 'SIGKILL'],
  )
  assert.equal(machine.count('scheduler stopped'), 1)
  assert.match(machine.stderr(), /passed its stop budget of 1600 ms; killing it/)
})
