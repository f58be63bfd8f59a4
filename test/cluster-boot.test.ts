// serve({ workers: 2 }) as real processes: the primary's hooks run once, each worker's once,
// no request reaches a worker before its startup completed, SIGTERM stops everything in order,
// and a worker that fails its first startup takes the machine down with nothing left behind.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { request } from 'undici'

import { freePort, sleep } from './support/observe.ts'
import { tryConnect } from './support/observe.ts'
import { readyUrl, startMachine } from './support/cluster.ts'

test('boot: primary onStartup runs once, each worker startup once, no request reaches a worker before its startup completed, and the probes answer on their own port', async (t) => {
  // A fixed port, so requests can knock while the workers are still starting.
  const port = await freePort()
  const healthPort = await freePort()
  const machine = startMachine({
    SCENARIO: 'slow-worker-startup',
    PORT: String(port),
    OPTIONS: JSON.stringify({ health: { port: healthPort } }),
  })
  t.after(() => machine.destroy())
  const statuses: number[] = []
  let refused = 0
  let booted = false
  const knock = (async () => {
    while (!booted) {
      try {
        const response = await request(`http://127.0.0.1:${port}/`, { reset: true, headersTimeout: 5_000 })
        statuses.push(response.statusCode)
        await response.body.dump()
      } catch {
        refused++
        await sleep(10)
      }
    }
  })()
  const url = await readyUrl(machine).finally(() => (booted = true))
  const ready = machine.events().find((e) => e.event === 'primary ready')!
  assert.deepEqual(ready.phases, ['running', 'running'], "the primary's server.workers once serve() resolved")
  await knock
  assert.equal(url, `http://127.0.0.1:${port}`)
  assert.ok(refused > 0, 'the port refused connections while the workers started')
  assert.ok(
    statuses.every((s) => s === 200),
    `every answer during the boot came from a started worker: ${statuses}`,
  )
  const pids = new Set<number>()
  for (let i = 0; i < 20; i++) {
    const response = await request(url, { reset: true })
    assert.equal(response.statusCode, 200)
    pids.add(((await response.body.json()) as { pid: number }).pid)
  }
  assert.equal(pids.size, 2, 'both workers answer')
  assert.equal(machine.count('scheduler started'), 1)
  assert.equal(machine.count('worker startup'), 2)
  const workerPids = machine
    .events()
    .filter((e) => e.event === 'worker startup')
    .map((e) => e.pid)
  assert.deepEqual(new Set(workerPids), pids)
  // The workers share the probes' listener as they share the app's: every fresh connection is answered.
  for (let i = 0; i < 6; i++) {
    const probe = await request(`http://127.0.0.1:${healthPort}/readyz`, { reset: true })
    assert.equal(probe.statusCode, 200)
    await probe.body.dump()
  }

  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 0)
  const events = machine.events()
  assert.equal(machine.count('worker shutdown'), 2, 'each worker shut down once')
  assert.equal(machine.count('scheduler stopped'), 1)
  const lastWorkerExit = Math.max(...events.filter((e) => e.event === 'cluster exit').map((e) => e.t))
  const stopped = events.find((e) => e.event === 'scheduler stopped')!
  assert.ok(stopped.t >= lastWorkerExit, 'the primary onShutdown ran after the last worker exited')
  assert.ok(events.filter((e) => e.event === 'cluster exit').every((e) => e.code === 0 && e.asked === true))
  assert.equal(await tryConnect(port), false, 'nothing listens after the exit')
  assert.equal(await tryConnect(healthPort), false, 'not even the probes')
})

test('a worker that fails its first startup: the primary exits 1 without restarting it, primary hooks shut down, nothing listening', async (t) => {
  const port = await freePort()
  const machine = startMachine({ SCENARIO: 'worker-startup-fails', PORT: String(port) })
  t.after(() => machine.destroy())
  assert.equal(await machine.exit, 1)
  assert.equal(machine.count('cluster fork'), 2, 'no worker was restarted')
  assert.equal(machine.count('cluster restart'), 0)
  assert.equal(machine.count('scheduler started'), 1)
  assert.equal(machine.count('scheduler stopped'), 1, "the primary's onShutdown ran after the failed start")
  assert.equal(machine.count('primary ready'), 0)
  assert.equal(await tryConnect(port), false)
  assert.match(machine.stderr(), /worker \d+ failed its startup: startup failed at onStartup\[0\] workerStartup/)
  assert.doesNotMatch(machine.stderr() + machine.stdout(), /user:secret/, "a hook's error text stays out of the logs")
})
