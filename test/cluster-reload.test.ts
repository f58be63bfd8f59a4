// The rolling reload as real processes: SIGHUP to the primary under a steady load of
// back-to-back keep-alive clients, three times over. Nothing may fail, every worker must be
// new, and the primary (with its scheduler) must be the same process, never stopped, never
// doubled. A replacement that fails its startup stops the reload and leaves the old workers.

import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { Pool, request } from 'undici'

import { alive, liveWorkerPids, readyUrl, startMachine, type Machine, type TraceLine } from './support/cluster.ts'
import { scratchDir } from './support/observe.ts'

const CLIENTS = 8
const TICK_MS = 50

function steadyLoad(url: string) {
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 })
  const tally = { ok: 0, failed: 0, errors: [] as string[] }
  const pidsSince = new Map<number, number>()
  let stopped = false
  async function client(): Promise<void> {
    while (!stopped) {
      try {
        const response = await pool.request({ path: '/', method: 'GET' })
        const { pid } = (await response.body.json()) as { pid: number }
        if (response.statusCode === 200) tally.ok++
        else tally.failed++
        if (!pidsSince.has(pid)) pidsSince.set(pid, Date.now())
      } catch (error) {
        tally.failed++
        if (tally.errors.length < 5) tally.errors.push(String(error))
      }
    }
  }
  const running = Promise.all(Array.from({ length: CLIENTS }, client))
  let closing: Promise<void> | null = null
  return {
    tally,
    /** Pids that answered, with the time of their first answer. */
    pidsSince,
    stop() {
      stopped = true
      closing ??= running.then(() => pool.close())
      return closing
    },
  }
}

async function reloadOnce(machine: Machine, done: number): Promise<void> {
  machine.child.kill('SIGHUP')
  const isDone = (line: TraceLine) => line.event === 'cluster reload' && line.step === 'done'
  await machine.waitFor(() => machine.events().filter(isDone).length >= done, `reload ${done} done`, 30_000)
}

test('SIGHUP three times under back-to-back keep-alive load: 0 failed requests, every worker new, the primary and its scheduler untouched', async (t) => {
  const machine = startMachine({ TICK_MS: String(TICK_MS) })
  t.after(() => machine.destroy())
  const url = await readyUrl(machine)
  const firstPids = liveWorkerPids(machine)
  const load = steadyLoad(url)
  t.after(() => load.stop())
  const warm = Date.now() + 15_000
  while (load.tally.ok < 200 && Date.now() < warm) await new Promise((resolve) => setTimeout(resolve, 20))
  const reloadsStarted = Date.now()
  for (let i = 1; i <= 3; i++) await reloadOnce(machine, i)
  const reloadsDone = Date.now()
  // Keep the load on the new workers until the total is well past 2,000.
  while ((load.tally.ok + load.tally.failed < 2_000 || Date.now() - reloadsDone < 300) && Date.now() - reloadsDone < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await load.stop()
  t.diagnostic(
    `reload: ${load.tally.ok + load.tally.failed} requests, ${load.tally.failed} failed, 3 reloads in ${reloadsDone - reloadsStarted} ms`,
  )
  assert.equal(load.tally.failed, 0, `failed requests: ${load.tally.errors.join('; ')}`)
  assert.ok(load.tally.ok >= 2_000, `only ${load.tally.ok} requests`)

  const lastPids = liveWorkerPids(machine)
  assert.equal(lastPids.length, 2)
  for (const pid of firstPids) {
    assert.ok(!lastPids.includes(pid), `worker ${pid} was replaced`)
    assert.equal(alive(pid), false, `old worker ${pid} exited`)
  }
  assert.equal(machine.count('cluster fork'), 2 + 3 * 2, 'two forks per reload, no restarts')
  assert.equal(machine.count('cluster restart'), 0)
  assert.ok(alive(machine.child.pid!), 'the primary is the same process')
  const primaryPids = new Set(
    machine
      .events()
      .filter((e) => e.role === 'primary')
      .map((e) => e.pid),
  )
  assert.deepEqual([...primaryPids], [machine.child.pid])

  // The scheduler ran in the one primary throughout: started once, never stopped, never doubled.
  assert.equal(machine.count('scheduler started'), 1)
  assert.equal(machine.count('scheduler stopped'), 0)
  const ticks = machine
    .events()
    .filter((e) => e.event === 'tick')
    .map((e) => e.t)
  const started = machine.events().find((e) => e.event === 'scheduler started')!.t
  const elapsed = ticks.at(-1)! - started
  assert.ok(ticks.length <= elapsed / TICK_MS + 2, `${ticks.length} ticks in ${elapsed} ms: never doubled`)
  const longestGap = Math.max(...ticks.slice(1).map((tick, i) => tick - ticks[i]!))
  assert.ok(longestGap < 1_000, `longest gap between ticks ${longestGap} ms: never stopped`)

  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 0)
  assert.equal(machine.count('scheduler stopped'), 1)
})

test('a replacement that fails its startup aborts the reload: the old workers keep serving and none is restarted', async (t) => {
  const failFile = join(scratchDir('tsgi-reload-'), 'broken')
  const machine = startMachine({ FAIL_FILE: failFile })
  t.after(() => machine.destroy())
  const url = await readyUrl(machine)
  const before = liveWorkerPids(machine)
  writeFileSync(failFile, 'the next build is broken')
  // reload() in the primary's code (the fixture calls it on SIGUSR2), not the SIGHUP handler.
  machine.child.kill('SIGUSR2')
  const rejected = await machine.waitFor((line) => line.event === 'reload() rejected', 'the rejected reload()')
  assert.equal(rejected.name, 'LifespanStartupError')
  assert.match(rejected.message as string, /^the new worker for slot 0 failed its startup: startup failed at onStartup\[0\] workerStartup/)
  assert.doesNotMatch(rejected.message as string, /broken/, "the hook's own error text stays in the worker")
  const answered = new Set<number>()
  for (let i = 0; i < 20 && answered.size < 2; i++) {
    const response = await request(url, { reset: true })
    assert.equal(response.statusCode, 200)
    answered.add(((await response.body.json()) as { pid: number }).pid)
  }
  assert.deepEqual(new Set(liveWorkerPids(machine)), new Set(before), 'the old workers are the ones left')
  assert.deepEqual(answered, new Set(before), 'and they serve')
  assert.equal(machine.count('cluster fork'), 3, 'one replacement tried, not restarted')
  assert.equal(machine.count('cluster restart'), 0)
  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 0)
})
