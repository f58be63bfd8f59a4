// The cluster's options and its decisions, in process: bad input is refused before anything
// forks, one worker is today's single process, and the primary's table and backoff are pinned.

import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { test } from 'node:test'

import { InvalidArgumentError, serve, type App } from '../src/index.ts'
import { CrashBackoff } from '../src/cluster/backoff.ts'
import { isPrimaryMessage, isWorkerMessage } from '../src/cluster/messages.ts'
import { readClusterOptions } from '../src/cluster/options.ts'
import { modeTransitions, PrimaryModeMachine, workerActions } from '../src/cluster/table.ts'
import { readServeOptions, type ServeOptions } from '../src/serve/options.ts'

const ok: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  await send({ type: 'http.response.start', status: 204 })
  await send({ type: 'http.response.body' })
}

const read = (options: ServeOptions) => readClusterOptions(options, readServeOptions(options))

test('bad cluster options are refused before anything forks, naming the option and the value', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ workers: 0 }, /workers must be an integer from 1 to 1024 or 'auto', got 0/],
    [{ workers: 2.5 }, /workers must be an integer/],
    [{ workers: 'all' }, /workers must be an integer from 1 to 1024 or 'auto', got 'all'/],
    [{ workers: 2, primary: [] }, /primary must be an object of hooks, got an array/],
    [{ workers: 2, primary: { onStartup: 'tick' } }, /primary.onStartup must be an array of functions, got 'tick'/],
    [{ workers: 2, primary: { onShutdown: [null] } }, /primary.onShutdown\[0\] must be a function, got null/],
    [{ workers: 2, restart: 5 }, /restart must be an object, got 5/],
    [{ workers: 2, restart: { initialDelayMs: -1 } }, /restart.initialDelayMs must be a finite number of milliseconds, at least 0, got -1/],
    [
      { workers: 2, restart: { initialDelayMs: 500, maxDelayMs: 100 } },
      /restart.maxDelayMs \(100\) must not be below restart.initialDelayMs \(500\)/,
    ],
    [{ workers: 2, restart: { maxCrashes: 1.5 } }, /restart.maxCrashes must be a non-negative integer, got 1.5/],
    [{ workers: 2, restart: { windowMs: 0 } }, /restart.windowMs must be a finite number of milliseconds, at least 1, got 0/],
    [{ workers: 2, reloadGraceMs: Infinity }, /reloadGraceMs must be a finite number of milliseconds, at least 0, got Infinity/],
  ]
  for (const [options, message] of cases) {
    await assert.rejects(serve(ok, options as ServeOptions), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error))
      assert.equal(error.code, 'TSGI_ERR_INVALID_ARGUMENT')
      assert.match(error.message, message)
      return true
    })
  }
})

test("the cluster defaults: one process without workers, 'auto' is one per core, restarts 100 ms doubling to 15 s, 5 crashes a minute, 1 s of grace", () => {
  assert.equal(read({}).workers, 1)
  assert.equal(read({ workers: 'auto' }).workers, availableParallelism())
  const config = read({ workers: 3, primary: { lifespan: async function* pool() {} }, signals: false })
  assert.deepEqual(config.restart, { initialDelayMs: 100, maxDelayMs: 15_000, maxCrashes: 5, windowMs: 60_000 })
  assert.equal(config.reloadGraceMs, 1_000)
  assert.equal(config.primary.lifespan.length, 1, 'a single lifespan function is a list of one')
  assert.equal(config.primary.shutdownDelayMs, 0, 'the workers delay; the primary does not')
  assert.deepEqual(config.primary.signals, [])
})

test('workers: 1 is the single process, whose reload() explains that only a primary reloads', async () => {
  const server = await serve(ok, { workers: 1, port: 0, signals: false, logger: false })
  try {
    assert.deepEqual(server.workers, [])
    assert.equal(server.phase, 'running')
    assert.deepEqual(server.state, {})
    const response = await fetch(server.url)
    assert.equal(response.status, 204)
    await assert.rejects(server.reload(), /reload\(\) needs the primary of serve\(\{ workers \}\); this server runs one process/)
  } finally {
    await server[Symbol.asyncDispose]()
  }
  await server.closed
  assert.equal(server.phase, 'stopped')
})

test('the message vocabulary accepts its own shapes only', () => {
  assert.equal(isWorkerMessage({ tsgi: 'cluster', type: 'ready', port: 3000 }), true)
  assert.equal(isWorkerMessage({ tsgi: 'cluster', type: 'ready', port: '3000' }), false)
  assert.equal(isWorkerMessage({ tsgi: 'cluster', type: 'startup-failed', message: 'x' }), true)
  assert.equal(isWorkerMessage({ type: 'ready', port: 1 }), false, "an app's own message")
  assert.equal(isWorkerMessage('ready'), false)
  assert.equal(isPrimaryMessage({ tsgi: 'cluster', type: 'shutdown' }), true)
  assert.equal(isPrimaryMessage({ tsgi: 'cluster', type: 'retire', graceMs: 1000 }), true)
  assert.equal(isPrimaryMessage({ tsgi: 'cluster', type: 'retire' }), false)
  assert.equal(isPrimaryMessage(null), false)
})

test("the primary's table is pinned: modes, their moves, and what each worker event calls for", () => {
  assert.deepEqual(modeTransitions, {
    booting: { 'all-ready': 'serving', 'boot-failed': 'stopping', close: 'stopping' },
    serving: { reload: 'reloading', close: 'stopping' },
    reloading: { 'reload-done': 'serving', close: 'stopping' },
    stopping: { 'all-exited': 'stopped' },
    stopped: {},
  })
  assert.deepEqual(Object.fromEntries(Object.entries(workerActions).map(([mode, actions]) => [mode, Object.values(actions).join(' ')])), {
    booting: 'count-ready fail-boot forget fail-boot fail-boot',
    serving: 'admit note-failure forget restart abort-replacement',
    reloading: 'admit note-failure forget restart abort-replacement',
    stopping: 'stop-it note-failure forget forget abort-replacement',
    stopped: 'stop-it forget forget forget forget',
  })
  const machine = new PrimaryModeMachine()
  assert.equal(machine.action('crash'), 'fail-boot', 'no restart at the first start')
  machine.apply('all-ready')
  assert.equal(machine.action('crash'), 'restart')
  assert.throws(() => machine.apply('all-exited'), /cluster: event 'all-exited' is not allowed in mode 'serving'/)
  machine.apply('close')
  assert.equal(machine.action('crash'), 'forget', 'no restart while stopping')
})

test('the crash backoff doubles per slot up to maxDelayMs, resets after a long uptime, and gives up past maxCrashes in the window', () => {
  const backoff = new CrashBackoff({ initialDelayMs: 100, maxDelayMs: 300, maxCrashes: 4, windowMs: 1_000 })
  assert.equal(backoff.crashed(0, 0), 100)
  assert.equal(backoff.crashed(0, 10), 200)
  assert.equal(backoff.crashed(1, 20), 100, 'each slot has its own delay')
  assert.equal(backoff.crashed(0, 30), 300, 'capped at maxDelayMs')
  assert.equal(backoff.crashed(0, 40), null, 'the fifth crash within the window gives up')
  const fresh = new CrashBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, maxCrashes: 2, windowMs: 1_000 })
  assert.equal(fresh.crashed(0, 0), 100)
  assert.equal(fresh.crashed(0, 500), 200)
  fresh.stayedUp(0)
  assert.equal(fresh.crashed(0, 1_600), 100, 'uptime reset the delay, and old crashes left the window')
  assert.equal(fresh.crashesInWindow, 1)
})
