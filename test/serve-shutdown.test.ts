import assert from 'node:assert/strict'
import { test } from 'node:test'

import { request } from 'undici'

import { LifespanShutdownError, LifespanTimeoutError, mount, router, type App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { memoryLogger, recordLifecycle } from './support/observe.ts'
import { scriptedApp } from './support/scripted-app.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }

const ok: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  await send({ type: 'http.response.start', status: 200 })
  await send({ type: 'http.response.body', body: 'ok' })
}

test('S2 close(): drain, onShutdown hooks in order, lifespan teardowns reversed, app shutdown reversed', async () => {
  const trace: string[] = []
  const lifecycle = recordLifecycle()
  const server = await serve(router([mount('/a', scriptedApp('a', trace)), mount('/b', scriptedApp('b', trace)), mount('/', ok)]), {
    ...quiet,
    lifespan: [
      async function* first() {
        yield
        trace.push('first:teardown')
      },
      async function* second() {
        yield
        trace.push('second:teardown')
      },
    ],
    onShutdown: [() => void trace.push('onShutdown[0]'), () => void trace.push('onShutdown[1]')],
  })
  trace.length = 0
  await server.close()
  lifecycle.stop()
  assert.deepEqual(trace, [
    'onShutdown[0]',
    'onShutdown[1]',
    'second:teardown',
    'first:teardown',
    'b:shutdown',
    'b:stopped',
    'a:shutdown',
    'a:stopped',
  ])
  const shutdownLines = lifecycle.lines.slice(lifecycle.lines.indexOf('phase:draining'))
  assert.deepEqual(shutdownLines, [
    'phase:draining',
    'drain:drain:start',
    'drain:drain:ok',
    'phase:stopping',
    'onShutdown:onShutdown[0] anonymous:start',
    'onShutdown:onShutdown[0] anonymous:ok',
    'onShutdown:onShutdown[1] anonymous:start',
    'onShutdown:onShutdown[1] anonymous:ok',
    'teardown:lifespan[1] second:start',
    'teardown:lifespan[1] second:ok',
    'teardown:lifespan[0] first:start',
    'teardown:lifespan[0] first:ok',
    'app-shutdown:app:start',
    'app-shutdown:app:ok',
    'phase:stopped',
  ])
})

test('S5 every onShutdown hook runs when one throws; close() rejects with the first error and the later ones attached', async () => {
  const ran: number[] = []
  const first = new Error('first failure')
  const second = new Error('second failure')
  const server = await serve(ok, {
    ...quiet,
    onShutdown: [
      () => {
        ran.push(0)
        throw first
      },
      () => void ran.push(1),
      async () => {
        ran.push(2)
        throw second
      },
    ],
  })
  await assert.rejects(server.close(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.equal(error.cause, first)
    assert.deepEqual(error.errors, [first, second])
    assert.match(error.message, /shutdown failed at onShutdown\[0\] anonymous, onShutdown\[2\] anonymous/)
    return true
  })
  assert.deepEqual(ran, [0, 1, 2])
  assert.equal(server.phase, 'stopped')
  await server.closed
})

test('S6 a hook error holding a secret: the log names the hook and never prints the secret', async () => {
  const logger = memoryLogger()
  const secret = 'postgres://admin:hunter2@db.internal/prod'
  const server = await serve(ok, {
    ...quiet,
    logger,
    onShutdown: [
      async function closePool() {
        throw new Error(`cannot reach ${secret}`)
      },
    ],
  })
  await server.close().catch(() => undefined)
  const log = logger.lines.join('\n')
  assert.match(log, /shutdown step onShutdown\[0\] closePool failed \(Error; pass logDetails: true to print its message\)/)
  assert.ok(!log.includes('hunter2'), log)
})

test('S6 logDetails prints the hook error message when asked for', async () => {
  const logger = memoryLogger()
  const server = await serve(ok, {
    ...quiet,
    logger,
    logDetails: true,
    onShutdown: [
      async function closePool() {
        throw new Error('pool already closed')
      },
    ],
  })
  await server.close().catch(() => undefined)
  assert.ok(logger.lines.some((l) => l.includes('onShutdown[0] closePool failed: pool already closed')))
})

test('S9 close() called twice or concurrently: both resolve and every hook runs once', async () => {
  const counts = { onShutdown: 0, teardown: 0, app: 0 }
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'lifespan') return
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    counts.app++
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const server = await serve(app, {
    ...quiet,
    lifespan: async function* pool() {
      yield
      counts.teardown++
    },
    onShutdown: [() => void counts.onShutdown++],
  })
  const [a, b] = [server.close(), server.close()]
  assert.equal(a, b)
  await Promise.all([a, b, server.close()])
  await server.close()
  assert.deepEqual(counts, { onShutdown: 1, teardown: 1, app: 1 })
})

test('S11 a shutdown hook past shutdownTimeoutMs is abandoned with its signal aborted and the next hook still runs', async () => {
  let abandonedSignal: AbortSignal | undefined
  const ran: string[] = []
  const server = await serve(ok, {
    ...quiet,
    shutdownTimeoutMs: 40,
    onShutdown: [
      async function stuckFlush(ctx) {
        abandonedSignal = ctx.signal
        await new Promise(() => {})
      },
      () => void ran.push('next'),
    ],
  })
  const started = performance.now()
  await assert.rejects(server.close(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.ok(error.cause instanceof LifespanTimeoutError)
    assert.equal(error.cause.step, 'onShutdown[0] stuckFlush')
    assert.match(error.cause.message, /shutdown step 'onShutdown\[0\] stuckFlush' did not finish within 40 ms/)
    return true
  })
  assert.ok(performance.now() - started < 1_000)
  assert.equal(abandonedSignal?.aborted, true)
  assert.deepEqual(ran, ['next'])
})

test('S13 phases move starting → running → draining → stopping → stopped, and Server.phase follows', async () => {
  const lifecycle = recordLifecycle()
  const server = await serve(ok, quiet)
  assert.equal(server.phase, 'running')
  await server.close()
  lifecycle.stop()
  assert.equal(server.phase, 'stopped')
  assert.deepEqual(
    lifecycle.events.filter((e) => e.step === 'phase').map((e) => e.name),
    ['starting', 'running', 'draining', 'stopping', 'stopped'],
  )
})

test('S14 every lifecycle event carries phase, step, name, outcome and ms, starting with entering starting', async () => {
  const lifecycle = recordLifecycle()
  const server = await serve(scriptedApp('app', []), {
    ...quiet,
    lifespan: async function* pool() {
      yield
    },
    onStartup: [function warm() {}],
    onShutdown: [function flush() {}],
  })
  await server.close()
  lifecycle.stop()
  const [first] = lifecycle.events
  assert.deepEqual({ ...first, ms: 0 }, { phase: 'starting', step: 'phase', name: 'starting', outcome: 'enter', ms: 0 })
  let last = 0
  for (const event of lifecycle.events) {
    assert.deepEqual(Object.keys(event).sort(), ['ms', 'name', 'outcome', 'phase', 'step'])
    assert.ok(event.ms >= last, 'ms never goes back')
    last = event.ms
  }
  assert.deepEqual(
    lifecycle.lines.filter((l) => !l.startsWith('phase:') && l.endsWith(':ok')),
    [
      'app:app:ok',
      'lifespan:lifespan[0] pool:ok',
      'onStartup:onStartup[0] warm:ok',
      'listen:listen:ok',
      'drain:drain:ok',
      'onShutdown:onShutdown[0] flush:ok',
      'teardown:lifespan[0] pool:ok',
      'app-shutdown:app:ok',
    ],
  )
})

test('the closed promise resolves after close(), also when close() rejected, and asyncDispose closes', async () => {
  const server = await serve(ok, { ...quiet, onShutdown: [() => Promise.reject(new Error('x'))] })
  await server.close().catch(() => undefined)
  await server.closed
  let disposed: Awaited<ReturnType<typeof serve>> | undefined
  {
    await using second = await serve(ok, quiet)
    disposed = second
    assert.equal((await request(second.url)).statusCode, 200)
  }
  assert.equal(disposed.phase, 'stopped')
})

test('a lifespan teardown past shutdownTimeoutMs is reported as a timeout and the app still shuts down', async () => {
  const trace: string[] = []
  const lifecycle = recordLifecycle()
  const server = await serve(scriptedApp('app', trace), {
    ...quiet,
    shutdownTimeoutMs: 30,
    lifespan: async function* stuck() {
      yield
      await new Promise(() => {})
    },
  })
  await assert.rejects(
    server.close(),
    (error: unknown) => error instanceof LifespanShutdownError && error.cause instanceof LifespanTimeoutError,
  )
  lifecycle.stop()
  assert.ok(lifecycle.lines.includes('teardown:lifespan[0] stuck:timeout'))
  assert.ok(trace.includes('app:stopped'))
})
