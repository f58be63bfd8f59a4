// Crashes as real processes: a worker killed with SIGKILL is replaced after the restart delay,
// and a crash loop backs off (doubling delays) until restart.maxCrashes ends the machine.

import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { Pool, request } from 'undici'

import { scratchDir, sleep } from './support/observe.ts'
import { liveWorkerPids, readyUrl, startMachine, type TraceLine } from './support/cluster.ts'

const CLIENTS = 4

test('kill -9 of one worker: it is replaced after about initialDelayMs, and at most its in-flight requests fail', async (t) => {
  const machine = startMachine({ RESTART: JSON.stringify({ initialDelayMs: 100 }) })
  t.after(() => machine.destroy())
  const url = await readyUrl(machine)
  let stop = false
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 })
  t.after(() => {
    stop = true
    return pool.destroy()
  })
  const tally = { ok: 0, failed: 0 }
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (!stop) {
      try {
        const response = await pool.request({ path: '/', method: 'GET' })
        await response.body.dump()
        tally.ok++
      } catch {
        tally.failed++
      }
    }
  })
  const warm = Date.now() + 15_000
  while (tally.ok < 100 && Date.now() < warm) await sleep(10)
  const [victim] = liveWorkerPids(machine)
  process.kill(victim!, 'SIGKILL')
  const restart = await machine.waitFor((e) => e.event === 'cluster restart', 'a restart')
  const exit = machine.events().find((e) => e.event === 'cluster exit' && e.workerPid === victim)!
  const fork = await machine.waitFor((e) => e.event === 'cluster fork' && e.t >= exit.t, 'the replacement fork')
  const ready = await machine.waitFor((e) => e.event === 'cluster ready' && e.worker === fork.worker, 'the replacement ready')
  stop = true
  await Promise.all(clients)
  // The clients' keep-alive sockets stay where they reconnected; fresh connections reach both.
  const fresh = new Set<number>()
  for (let i = 0; i < 20 && fresh.size < 2; i++) {
    const response = await request(url, { reset: true })
    fresh.add(((await response.body.json()) as { pid: number }).pid)
  }
  t.diagnostic(
    `kill -9: restart after ${fork.t - exit.t} ms (delay ${restart.delayMs}); ready ${ready.t - exit.t} ms after the exit; ${tally.failed} failed of ${tally.ok + tally.failed}`,
  )
  assert.equal(exit.signal, 'SIGKILL')
  assert.equal(exit.asked, false)
  assert.equal(restart.delayMs, 100)
  assert.ok(fork.t - exit.t >= 95 && fork.t - exit.t < 600, `forked ${fork.t - exit.t} ms after the exit`)
  assert.ok(tally.failed <= CLIENTS, `${tally.failed} failed; at most the ${CLIENTS} in flight may`)
  assert.ok(fresh.has(fork.workerPid as number), 'the replacement serves')
  assert.equal(liveWorkerPids(machine).length, 2)
  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 0)
})

test('a crash loop shows the doubling delays and ends in exit 1 once restart.maxCrashes is passed', async (t) => {
  const restart = { initialDelayMs: 100, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 60_000 }
  const crashFile = join(scratchDir('tsgi-crash-'), 'crash')
  const machine = startMachine({ RESTART: JSON.stringify(restart), CRASH_FILE: crashFile })
  t.after(() => machine.destroy())
  await readyUrl(machine)
  // From now on every worker that starts crashes 100 ms after it is ready.
  writeFileSync(crashFile, 'crash')
  const [victim] = liveWorkerPids(machine)
  process.kill(victim!, 'SIGKILL')
  assert.equal(await machine.exit, 1)
  const events = machine.events()
  const restarts = events.filter((e) => e.event === 'cluster restart')
  assert.deepEqual(
    restarts.map((e) => e.delayMs),
    [100, 200, 400],
    'each crash of the slot doubles its delay',
  )
  // The measured gap from each crash to the next fork, with a tolerance for a loaded machine.
  const gaps = restarts.map((r) => {
    const fork = events.find((e): e is TraceLine => e.event === 'cluster fork' && e.t >= r.t)!
    return fork.t - r.t
  })
  t.diagnostic(`crash loop: delays ${restarts.map((e) => e.delayMs).join(', ')} ms; measured ${gaps.join(', ')} ms`)
  gaps.forEach((gap, i) => {
    const delay = restarts[i]!.delayMs as number
    assert.ok(gap >= delay - 5 && gap < delay + 400, `gap ${gap} ms for a delay of ${delay} ms`)
  })
  assert.equal(machine.count('cluster give-up'), 1)
  assert.equal(events.filter((e) => e.event === 'cluster exit' && e.asked === false).length, 4, 'the fourth crash passed maxCrashes (3)')
  assert.equal(machine.count('scheduler stopped'), 1, 'the primary shut down in order')
  assert.match(machine.stderr(), /more than 3 worker crashes within 60000 ms/)
  assert.equal(liveWorkerPids(machine).length, 0)
})
