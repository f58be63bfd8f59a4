// The seed example, run as a real process: the scheduler ticks while serving, stops when the
// process gets SIGTERM (before it exits), and the process exits 0, also under load.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Pool, request } from 'undici'

import { freePort, sleep } from './support/observe.ts'
import { startFixture, waitForPort } from './support/process.ts'

const example = new URL('../examples/scheduler-lifespan.ts', import.meta.url).pathname

test('the scheduler example ticks, stops its scheduler on SIGTERM before exiting, and exits 0', async () => {
  const running = startFixture(example, { TICK_MS: '50' }, await freePort())
  await waitForPort(running)
  await sleep(200)
  const { ticks } = (await (await request(`${running.url}/ticks`)).body.json()) as { ticks: number }
  assert.ok(ticks >= 2, `ticked ${ticks} times`)
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  const out = running.stdout()
  const stopped = out.match(/scheduler stopped after (\d+) ticks/)
  assert.ok(stopped, out)
  assert.ok(Number(stopped[1]) >= ticks)
  assert.ok(out.indexOf('scheduler started') < out.indexOf('scheduler stopped'))
})

test('under load from 50 connections, SIGTERM mid-way: every started response completes, no 5xx, hooks run once, exit 0', async (t) => {
  const running = startFixture(example, { TICK_MS: '50' }, await freePort())
  await waitForPort(running)
  const pool = new Pool(running.url, { connections: 50, pipelining: 1 })
  const tally = { completed: 0, serverErrors: 0, brokenMidResponse: 0, refusedAfterSignal: 0, failedBeforeSignal: 0 }
  let signalled = false
  const until = Date.now() + 3_000
  async function worker(): Promise<void> {
    while (Date.now() < until) {
      let headersReceived = false
      try {
        const response = await pool.request({ path: '/ticks', method: 'GET' })
        headersReceived = true
        await response.body.json()
        if (response.statusCode >= 500) tally.serverErrors++
        else tally.completed++
      } catch {
        if (headersReceived) tally.brokenMidResponse++
        else if (signalled) tally.refusedAfterSignal++
        else tally.failedBeforeSignal++
        if (signalled) return
      }
    }
  }
  const load = Promise.all(Array.from({ length: 50 }, worker))
  await sleep(1_500)
  signalled = true
  running.child.kill('SIGTERM')
  await load
  const code = await running.exit
  await pool.destroy()
  t.diagnostic(`tally ${JSON.stringify(tally)}`)
  assert.equal(code, 0)
  assert.ok(tally.completed > 500, `only ${tally.completed} responses completed`)
  assert.equal(tally.serverErrors, 0)
  assert.equal(tally.brokenMidResponse, 0)
  assert.equal(tally.failedBeforeSignal, 0)
  const out = running.stdout()
  assert.equal(out.match(/scheduler started/g)?.length, 1)
  assert.equal(out.match(/scheduler stopped/g)?.length, 1)
})
