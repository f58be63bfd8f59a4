import assert from 'node:assert/strict'
import { test } from 'node:test'

import { request } from 'undici'

import { LifespanStartupError, LifespanTimeoutError, mount, route, router, type App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { freePort, memoryLogger, recordLifecycle, refused, sleep } from './support/observe.ts'
import { scriptedApp } from './support/scripted-app.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }

/** Answers GET / with the request's view of state, as JSON. */
const stateApp: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const body = JSON.stringify(scope.state)
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({ type: 'http.response.body', body })
}

test('S1 startup runs the app lifespan, lifespan setups, onStartup hooks, then listens; nothing is served before', async () => {
  const trace: string[] = []
  const port = await freePort()
  const probes: boolean[] = []
  const app = router([mount('/a', scriptedApp('a', trace)), mount('/b', scriptedApp('b', trace)), route('GET', '/', stateApp)])
  const server = await serve(app, {
    ...quiet,
    port,
    lifespan: [
      async function* first() {
        trace.push('lifespan[0]:setup')
        yield
      },
      async function* second() {
        trace.push('lifespan[1]:setup')
        yield
      },
    ],
    onStartup: [
      async () => {
        trace.push('onStartup[0]')
        probes.push(await refused(port))
      },
      () => {
        trace.push('onStartup[1]')
      },
    ],
  })
  trace.push('listening')
  assert.deepEqual(trace, [
    'a:startup',
    'a:started',
    'b:startup',
    'b:started',
    'lifespan[0]:setup',
    'lifespan[1]:setup',
    'onStartup[0]',
    'onStartup[1]',
    'listening',
  ])
  assert.deepEqual(probes, [true], 'the port refused connections while a startup hook ran')
  assert.equal((await request(server.url)).statusCode, 200)
  await server.close()
})

test('S3 onStartup hook 2 of 3 throwing: hook 3 never runs, every onShutdown hook runs, children stop, nothing listened', async () => {
  const trace: string[] = []
  const port = await freePort()
  const boom = new Error('hook 2 failed')
  const attempt = serve(router([mount('/a', scriptedApp('a', trace))]), {
    ...quiet,
    port,
    onStartup: [() => void trace.push('up0'), () => Promise.reject(boom), () => void trace.push('up2')],
    onShutdown: [() => void trace.push('down0'), () => void trace.push('down1')],
  })
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal(error.cause, boom)
    assert.match(error.message, /startup failed at onStartup\[1\]/)
    return true
  })
  assert.deepEqual(trace, ['a:startup', 'a:started', 'up0', 'down0', 'down1', 'a:shutdown', 'a:stopped'])
  assert.equal(await refused(port), true)
})

test('S4 a child failing startup: no onStartup or onShutdown hook runs, started children stop, serve() rejects', async () => {
  const trace: string[] = []
  const hooks: string[] = []
  const attempt = serve(router([mount('/a', scriptedApp('a', trace)), mount('/b', scriptedApp('b', trace, { startup: 'fail' }))]), {
    ...quiet,
    lifespan: async function* pool() {
      hooks.push('lifespan')
      yield
    },
    onStartup: [() => void hooks.push('onStartup')],
    onShutdown: [() => void hooks.push('onShutdown')],
  })
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(error.message, /startup failed at app/)
    assert.equal((error.cause as Error).message, 'b cause')
    return true
  })
  assert.deepEqual(hooks, [])
  assert.deepEqual(trace, ['a:startup', 'a:started', 'b:startup', 'a:shutdown', 'a:stopped'])
})

test('a lifespan function failing at setup tears down the earlier ones in reverse, shuts the app down, runs no hook', async () => {
  const trace: string[] = []
  const attempt = serve(router([mount('/a', scriptedApp('a', trace))]), {
    ...quiet,
    lifespan: [
      async function* one() {
        yield
        trace.push('one:teardown')
      },
      async function* two() {
        yield
        trace.push('two:teardown')
      },
      // biome-ignore lint/correctness/useYield: the setup fails before it could yield
      async function* three() {
        throw new Error('three cannot start')
      },
    ],
    onStartup: [() => void trace.push('onStartup')],
    onShutdown: [() => void trace.push('onShutdown')],
  })
  await assert.rejects(attempt, { message: /startup failed at lifespan\[2\] three/ })
  assert.deepEqual(trace, ['a:startup', 'a:started', 'two:teardown', 'one:teardown', 'a:shutdown', 'a:stopped'])
})

test('S7 hooks get state, an AbortSignal and the logger; a lifespan yield is merged into state and seen by requests', async () => {
  const logger = memoryLogger()
  const seen: Array<{ signal: boolean; logger: boolean; pool: unknown }> = []
  const server = await serve(stateApp, {
    ...quiet,
    logger,
    lifespan: async function* pool() {
      yield { pool: 'pg://pool' }
    },
    onStartup: [
      (ctx) => {
        seen.push({ signal: ctx.signal instanceof AbortSignal, logger: ctx.logger === logger, pool: ctx.state.pool })
        ctx.state.scheduler = 'ticking'
      },
    ],
  })
  assert.deepEqual(seen, [{ signal: true, logger: true, pool: 'pg://pool' }])
  const body = await (await request(server.url)).body.json()
  assert.deepEqual(body, { pool: 'pg://pool', scheduler: 'ticking' })
  assert.equal(server.state.scheduler, 'ticking')
  await server.close()
})

test('S8 each request sees a shallow copy of state: a replaced key does not leak, a mutated shared object does', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    const view = JSON.stringify({ user: scope.state.user, hits: (scope.state.counter as { hits: number }).hits })
    scope.state.user = 'replaced by a request'
    ;(scope.state.counter as { hits: number }).hits++
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: view })
  }
  const server = await serve(app, {
    ...quiet,
    lifespan: async function* seed() {
      yield { user: 'original', counter: { hits: 0 } }
    },
  })
  const first = await (await request(server.url)).body.json()
  const second = await (await request(server.url)).body.json()
  assert.deepEqual(first, { user: 'original', hits: 0 })
  assert.deepEqual(second, { user: 'original', hits: 1 })
  await server.close()
})

test('S10 a taken port runs the full shutdown, hooks included, then serve() rejects with the bind error as cause', async () => {
  const blocker = await serve(stateApp, quiet)
  const port = Number(new URL(blocker.url).port)
  const trace: string[] = []
  const attempt = serve(router([mount('/a', scriptedApp('a', trace))]), {
    ...quiet,
    port,
    lifespan: async function* pool() {
      yield
      trace.push('pool:teardown')
    },
    onShutdown: [() => void trace.push('onShutdown')],
  })
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'EADDRINUSE')
    return true
  })
  assert.deepEqual(trace, ['a:startup', 'a:started', 'onShutdown', 'pool:teardown', 'a:shutdown', 'a:stopped'])
  await blocker.close()
})

test('S12 the startup error stays primary when a cleanup step fails too; the cleanup error rides along', async () => {
  const startupError = new Error('warm-up failed')
  const cleanupError = new Error('flush failed')
  await assert.rejects(
    serve(stateApp, {
      ...quiet,
      onStartup: [() => Promise.reject(startupError)],
      onShutdown: [() => Promise.reject(cleanupError)],
    }),
    (error: unknown) => {
      assert.ok(error instanceof LifespanStartupError)
      assert.equal(error.cause, startupError)
      assert.deepEqual(error.errors, [startupError, cleanupError])
      return true
    },
  )
})

test('S13 a failed startup moves starting → stopping → failed and publishes it, ending with failed', async () => {
  const trace = recordLifecycle()
  try {
    await assert.rejects(serve(stateApp, { ...quiet, onStartup: [() => Promise.reject(new Error('no'))] }))
  } finally {
    trace.stop()
  }
  const phases = trace.events.filter((e) => e.step === 'phase').map((e) => e.name)
  assert.deepEqual(phases, ['starting', 'stopping', 'failed'])
  assert.deepEqual(trace.events.at(-1), { ...trace.events.at(-1), step: 'phase', name: 'failed', outcome: 'enter', phase: 'failed' })
  assert.ok(trace.lines.includes('listen:listen:skipped'))
})

test('a startup hook past startupTimeoutMs fails startup with a LifespanTimeoutError naming it, its signal aborted', async () => {
  let signal: AbortSignal | undefined
  const trace = recordLifecycle()
  try {
    await assert.rejects(
      serve(stateApp, {
        ...quiet,
        startupTimeoutMs: 40,
        onStartup: [
          async function slowWarmup(ctx) {
            signal = ctx.signal
            await sleep(500)
          },
        ],
      }),
      (error: unknown) => {
        assert.ok(error instanceof LifespanStartupError)
        assert.ok(error.cause instanceof LifespanTimeoutError)
        assert.equal(error.cause.step, 'onStartup[0] slowWarmup')
        return true
      },
    )
  } finally {
    trace.stop()
  }
  assert.equal(signal?.aborted, true)
  assert.ok(trace.lines.includes('onStartup:onStartup[0] slowWarmup:timeout'))
})

test("the app's whole startup is one step named app, bounded by serve()'s startupTimeoutMs", async () => {
  await assert.rejects(serve(scriptedApp('slow', [], { startup: 'hang' }), { ...quiet, startupTimeoutMs: 40 }), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.ok(error.cause instanceof LifespanTimeoutError)
    assert.equal(error.cause.step, 'app')
    return true
  })
})

test('an app that does not speak lifespan is served anyway', async () => {
  const logger = memoryLogger()
  const server = await serve(stateApp, { ...quiet, logger })
  assert.equal((await request(server.url)).statusCode, 200)
  assert.ok(logger.lines.some((l) => l.startsWith('info tsgi: listening on http://127.0.0.1:')))
  await server.close()
})
