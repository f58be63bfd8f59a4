// A simulated rolling update: two serve() replicas as real processes behind a balancer that,
// like kube-proxy, keeps routing to a replica for a while after it got SIGTERM. With a shutdown
// delay longer than that propagation no request fails; without one, some do.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { Pool } from 'undici'

import { Balancer, type BalancerCounts, type Backend } from './support/balancer.ts'
import { freePort } from './support/observe.ts'
import { startFixture, waitForPort, type Running } from './support/process.ts'

const fixture = new URL('./fixtures/rollout-backend.ts', import.meta.url).pathname
const children: Running[] = []
after(() => {
  for (const running of children) running.child.kill('SIGKILL')
})

async function replica(name: string, shutdownDelayMs: number): Promise<Backend & { running: Running }> {
  const running = startFixture(fixture, { BACKEND: name, TSGI_SHUTDOWN_DELAY_MS: String(shutdownDelayMs) }, await freePort())
  children.push(running)
  await waitForPort(running)
  return { name, url: running.url, child: running.child, running }
}

/** Concurrent callers, each one request after another: four fast GETs, then a 300 ms POST. */
function steadyLoad(url: string, callers: number) {
  const pool = new Pool(url, { connections: callers })
  let sent = 0
  let stopping = false
  const caller = async (): Promise<void> => {
    while (!stopping) {
      const slow = sent++ % 5 === 4
      const response = await pool.request(slow ? { path: '/slow', method: 'POST', body: 'work' } : { path: '/', method: 'GET' })
      await response.body.arrayBuffer()
    }
  }
  const running = Promise.all(Array.from({ length: callers }, caller))
  let stopped: Promise<void> | null = null
  return {
    get sent() {
      return sent
    },
    stop(): Promise<void> {
      stopping = true
      stopped ??= running.then(() => pool.close())
      return stopped
    },
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function rollout(shutdownDelayMs: number): Promise<{ counts: BalancerCounts; exitCode: number; sent: number }> {
  const [a, b] = await Promise.all([replica('a', shutdownDelayMs), replica('b', shutdownDelayMs)])
  const balancer = new Balancer([a, b])
  const load = steadyLoad(await balancer.listen(), 24)
  try {
    await until(() => load.sent >= 200, 20_000, 'the load to warm up')
    await balancer.terminate(a, 300)
    const exitCode = await Promise.race([a.running.exit, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 10_000))])
    await until(() => load.sent >= 1_000, 30_000, '1,000 requests')
    await load.stop()
    return { counts: balancer.counts, exitCode, sent: load.sent }
  } finally {
    await load.stop()
    await balancer.close()
    b.running.child.kill('SIGTERM')
    await b.running.exit
  }
}

test('a rollout with shutdownDelayMs 500 behind a 300 ms propagation fails no request; without the delay some fail', async () => {
  const delayed = await rollout(500)
  const undelayed = await rollout(0)
  console.log(
    `rollout: with the delay ${delayed.counts.failed} failed of ${delayed.sent} (replica a served ${delayed.counts.byBackend.a!.afterSignal} after its SIGTERM); ` +
      `without it ${undelayed.counts.failed} failed of ${undelayed.sent} (${undelayed.counts.errors.slice(0, 3).join('; ')})`,
  )
  assert.ok(delayed.sent >= 1_000 && undelayed.sent >= 1_000)
  assert.equal(delayed.counts.failed, 0, delayed.counts.errors.join('\n'))
  assert.ok(delayed.counts.byBackend.a!.afterSignal > 0, 'the terminated replica served requests that arrived after its SIGTERM')
  assert.equal(delayed.exitCode, 0)
  assert.ok(undelayed.counts.failed > 0, 'without the delay the harness sees the lost requests')
})
