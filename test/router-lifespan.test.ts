import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  LifespanManager,
  LifespanShutdownError,
  LifespanStartupError,
  LifespanTimeoutError,
  ProtocolError,
  mount,
  route,
  router,
  serve,
  withLifespan,
  type App,
  type LifespanSendMessage,
} from '../src/index.ts'
import { scriptedApp } from './support/scripted-app.ts'

/** Drives `app` as a server would, recording every final message it sends upward. */
function upstreamRecorder(app: App) {
  const finals: string[] = []
  const wrapped: App = (scope, receive, send) =>
    app(scope, receive, async (message) => {
      finals.push(message.type)
      await send(message)
    })
  return { finals, manager: (options = {}) => new LifespanManager(wrapped, options) }
}

test('C1 children a, b, c start in mount order and stop in reverse', async () => {
  const trace: string[] = []
  const app = router(['a', 'b', 'c'].map((n) => mount(`/${n}`, scriptedApp(n, trace))))
  const manager = new LifespanManager(app)
  await manager.startup()
  assert.deepEqual(trace, ['a:startup', 'a:started', 'b:startup', 'b:started', 'c:startup', 'c:started'])
  trace.length = 0
  await manager.shutdown()
  assert.deepEqual(trace, ['c:shutdown', 'c:stopped', 'b:shutdown', 'b:stopped', 'a:shutdown', 'a:stopped'])
})

test('C2 nested routers three deep start depth-first and shut down as the exact mirror', async () => {
  const trace: string[] = []
  const leaf = (n: string) => mount(`/${n}`, scriptedApp(n, trace))
  const app = router([leaf('a'), mount('/one', router([leaf('b'), mount('/two', router([leaf('c'), leaf('d')])), leaf('e')])), leaf('f')])
  const manager = new LifespanManager(app)
  await manager.startup()
  const startups = trace.filter((t) => t.endsWith(':startup')).map((t) => t[0])
  assert.deepEqual(startups, ['a', 'b', 'c', 'd', 'e', 'f'])
  trace.length = 0
  await manager.shutdown()
  const shutdowns = trace.filter((t) => t.endsWith(':shutdown')).map((t) => t[0])
  assert.deepEqual(shutdowns, ['f', 'e', 'd', 'c', 'b', 'a'])
})

test("C3 a router's own lifespan wraps its children: own setup first, own teardown last", async () => {
  const trace: string[] = []
  const app = router([mount('/a', scriptedApp('a', trace)), mount('/b', scriptedApp('b', trace))], {
    async *lifespan() {
      trace.push('own:setup')
      yield
      trace.push('own:teardown')
    },
  })
  const manager = new LifespanManager(app)
  await manager.startup()
  await manager.shutdown()
  assert.deepEqual(
    trace.filter((t) => !t.endsWith('ed')),
    ['own:setup', 'a:startup', 'b:startup', 'b:shutdown', 'a:shutdown', 'own:teardown'],
  )
})

test("C4 child b failing startup: c never starts, a is shut down, one startup.failed names b's mount path", async () => {
  const trace: string[] = []
  const app = router([
    mount('/a', scriptedApp('a', trace)),
    mount('/b', scriptedApp('b', trace, { startup: 'fail' })),
    mount('/c', scriptedApp('c', trace)),
  ])
  const { finals, manager } = upstreamRecorder(app)
  const m = manager()
  await assert.rejects(m.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(error.message, /'\/b' failed to start: b could not start/)
    assert.equal((error.cause as Error).message, 'b cause')
    return true
  })
  assert.deepEqual(trace, ['a:startup', 'a:started', 'b:startup', 'a:shutdown', 'a:stopped'])
  assert.deepEqual(finals, ['lifespan.startup.failed'])
  await m.shutdown()
  assert.deepEqual(finals, ['lifespan.startup.failed'])
})

test('C5 child b throwing after receiving startup rolls back like C4 and keeps the thrown error as cause', async () => {
  const trace: string[] = []
  const app = router([
    mount('/a', scriptedApp('a', trace)),
    mount('/b', scriptedApp('b', trace, { startup: 'throw' })),
    mount('/c', scriptedApp('c', trace)),
  ])
  await assert.rejects(new LifespanManager(app).startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(error.message, /'\/b'/)
    assert.equal((error.cause as Error).message, 'b crashed at startup')
    return true
  })
  assert.ok(!trace.some((t) => t.startsWith('c:')))
  assert.ok(trace.includes('a:stopped'))
})

test('C6 a child that does not support lifespan is skipped and its siblings run normally', async () => {
  const trace: string[] = []
  const app = router([
    mount('/a', scriptedApp('a', trace)),
    mount('/b', scriptedApp('b', trace, { startup: 'unsupported' })),
    mount('/c', scriptedApp('c', trace)),
  ])
  const manager = new LifespanManager(app)
  await manager.startup()
  await manager.shutdown()
  assert.deepEqual(
    trace.filter((t) => t.endsWith('startup') || t.endsWith('shutdown')),
    ['a:startup', 'c:startup', 'c:shutdown', 'a:shutdown'],
  )
})

test('C7 a child that returns without messages does not disturb a and c', async () => {
  const trace: string[] = []
  const app = router([
    mount('/a', scriptedApp('a', trace)),
    mount('/b', scriptedApp('b', trace, { startup: 'return' })),
    mount('/c', scriptedApp('c', trace)),
  ])
  const manager = new LifespanManager(app)
  await manager.startup()
  await manager.shutdown()
  assert.deepEqual(trace, ['a:startup', 'a:started', 'c:startup', 'c:started', 'c:shutdown', 'c:stopped', 'a:shutdown', 'a:stopped'])
})

test('C8 two children failing at shutdown: every child is still shut down, one shutdown.failed names both', async () => {
  const trace: string[] = []
  const app = router([
    mount('/a', scriptedApp('a', trace, { shutdown: 'fail' })),
    mount('/b', scriptedApp('b', trace)),
    mount('/c', scriptedApp('c', trace, { shutdown: 'throw' })),
  ])
  const { finals, manager } = upstreamRecorder(app)
  const m = manager()
  await m.startup()
  await assert.rejects(m.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.match(error.message, /'\/c' failed to shut down: c crashed at shutdown/)
    assert.match(error.message, /'\/a' failed to shut down: a could not stop/)
    assert.equal((error.cause as Error).message, 'c crashed at shutdown')
    assert.deepEqual(
      error.errors.map((e) => (e as Error).message),
      ['c crashed at shutdown', 'a stop cause'],
    )
    return true
  })
  assert.deepEqual(
    trace.filter((t) => t.endsWith(':shutdown')),
    ['c:shutdown', 'b:shutdown', 'a:shutdown'],
  )
  assert.deepEqual(finals, ['lifespan.startup.complete', 'lifespan.shutdown.failed'])
})

test('C9 exactly one final message goes up for startup and one for shutdown, in each outcome', async () => {
  const outcomes: Array<[string, Parameters<typeof scriptedApp>[2]]> = [
    ['clean', {}],
    ['startup fails', { startup: 'fail' }],
    ['startup throws', { startup: 'throw' }],
    ['unsupported', { startup: 'unsupported' }],
    ['shutdown fails', { shutdown: 'fail' }],
    ['shutdown throws', { shutdown: 'throw' }],
  ]
  for (const [label, script] of outcomes) {
    const { finals, manager } = upstreamRecorder(router([mount('/x', scriptedApp('x', [], script))]))
    const m = manager()
    const startedOk = await m.startup().then(
      () => true,
      () => false,
    )
    await m.shutdown().catch(() => undefined)
    const startupFinals = finals.filter((f) => f.startsWith('lifespan.startup.'))
    const shutdownFinals = finals.filter((f) => f.startsWith('lifespan.shutdown.'))
    assert.equal(startupFinals.length, 1, `${label}: ${finals.join(', ')}`)
    assert.equal(shutdownFinals.length, startedOk ? 1 : 0, `${label}: ${finals.join(', ')}`)
  }
})

test('C10 children share the parent state: a key set by a started child is seen by later children', async () => {
  let seenByB: unknown
  const b: App = async (scope, receive, send) => {
    await receive()
    seenByB = scope.state.pool
    await send({ type: 'lifespan.startup.complete' })
  }
  const top = { preset: 1 }
  const app = router([mount('/a', scriptedApp('a', [], { sets: { pool: 'ready' } })), mount('/b', b)])
  const manager = new LifespanManager(app, { state: top })
  await manager.startup()
  assert.equal(seenByB, 'ready')
  assert.equal(top.preset, 1)
  assert.equal((top as Record<string, unknown>).pool, 'ready')
})

test('C11 a child hanging at startup past the timeout: started siblings rolled back, the error names the child', async () => {
  const trace: string[] = []
  const app = router(
    [
      mount('/a', scriptedApp('a', trace)),
      mount('/slow', scriptedApp('slow', trace, { startup: 'hang' })),
      mount('/c', scriptedApp('c', trace)),
    ],
    { startupTimeoutMs: 40 },
  )
  await assert.rejects(new LifespanManager(app).startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.ok(error.cause instanceof LifespanTimeoutError)
    assert.equal(error.cause.step, '/slow')
    assert.match(error.message, /'\/slow' did not finish within 40 ms/)
    return true
  })
  assert.deepEqual(trace, ['a:startup', 'a:started', 'slow:startup', 'a:shutdown', 'a:stopped'])
})

test('C12 a child hanging at shutdown is abandoned after the timeout and its siblings still shut down', async () => {
  const trace: string[] = []
  const app = router(
    [
      mount('/a', scriptedApp('a', trace)),
      mount('/stuck', scriptedApp('stuck', trace, { shutdown: 'hang' })),
      mount('/c', scriptedApp('c', trace)),
    ],
    { shutdownTimeoutMs: 40 },
  )
  const manager = new LifespanManager(app)
  await manager.startup()
  await assert.rejects(manager.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.ok(error.cause instanceof LifespanTimeoutError)
    assert.equal(error.cause.phase, 'shutdown')
    assert.match(error.message, /'\/stuck'/)
    return true
  })
  assert.deepEqual(
    trace.filter((t) => t.endsWith(':stopped')),
    ['c:stopped', 'a:stopped'],
  )
})

test('an app mounted twice is started once, under its first path', async () => {
  const trace: string[] = []
  const shared = scriptedApp('shared', trace)
  const manager = new LifespanManager(router([mount('/one', shared), mount('/two', shared), route('GET', '/x', shared)]))
  await manager.startup()
  await manager.shutdown()
  assert.deepEqual(trace, ['shared:startup', 'shared:started', 'shared:shutdown', 'shared:stopped'])
})

test("a cause survives three levels of nesting and each level's path is named", async () => {
  const deep = scriptedApp('deep', [], { startup: 'throw' })
  const app = router([mount('/outer', router([mount('/middle', router([mount('/inner', deep)]))]))])
  await assert.rejects(new LifespanManager(app).startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal((error.cause as Error).message, 'deep crashed at startup')
    assert.match(error.message, /'\/outer'.*'\/middle'.*'\/inner'/)
    return true
  })
})

test('a rollback failure is attached to the startup failure and never replaces it', async () => {
  const app = router([mount('/a', scriptedApp('a', [], { shutdown: 'throw' })), mount('/b', scriptedApp('b', [], { startup: 'throw' }))])
  await assert.rejects(new LifespanManager(app).startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal((error.cause as Error).message, 'b crashed at startup')
    assert.deepEqual(
      error.errors.map((e) => (e as Error).message),
      ['b crashed at startup', 'a crashed at shutdown'],
    )
    return true
  })
})

test("a router's own lifespan failing at setup starts no child and fails startup with its error", async () => {
  const trace: string[] = []
  const app = router([mount('/a', scriptedApp('a', trace))], {
    // biome-ignore lint/correctness/useYield: the setup fails before it could yield
    async *lifespan() {
      throw new Error('no database')
    },
  })
  await assert.rejects(new LifespanManager(app).startup(), { message: /no database/ })
  assert.deepEqual(trace, [])
})

test("a router's own lifespan yields state that its children see at their startup", async () => {
  let seen: unknown
  const child: App = async (scope, receive, send) => {
    await receive()
    seen = scope.state.pool
    await send({ type: 'lifespan.startup.complete' })
  }
  const app = router([mount('/a', child)], {
    async *lifespan() {
      yield { pool: 'pg' }
    },
  })
  await new LifespanManager(app).startup()
  assert.equal(seen, 'pg')
})

test('withLifespan runs its setup before the app and its teardown after it', async () => {
  const trace: string[] = []
  const app = withLifespan(scriptedApp('app', trace), async function* cache() {
    trace.push('cache:setup')
    yield { cache: true }
    trace.push('cache:teardown')
  })
  const manager = new LifespanManager(app)
  await manager.startup()
  assert.equal(manager.state.cache, true)
  await manager.shutdown()
  assert.deepEqual(trace, ['cache:setup', 'app:startup', 'app:started', 'app:shutdown', 'app:stopped', 'cache:teardown'])
})

test('a lifespan function that yields twice fails at teardown with a clear ProtocolError', async () => {
  const app = withLifespan(
    async () => {},
    async function* twice() {
      yield
      yield
    },
  )
  const manager = new LifespanManager(app)
  await manager.startup()
  await assert.rejects(manager.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.ok(error.cause instanceof ProtocolError)
    assert.match(error.cause.message, /lifespan twice yielded more than once/)
    return true
  })
})

test('a lifespan generator that returns without yielding fails the startup saying so, and the app never starts', async () => {
  let appStarted = false
  const app = withLifespan(
    async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return
      appStarted = true
      await receive()
      await send({ type: 'lifespan.startup.complete' })
    },
    async function* openPool() {
      // setup, then a forgotten `yield`: the teardown below would run as part of the setup
    },
  )
  await assert.rejects(new LifespanManager(app).startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.ok(error.cause instanceof ProtocolError)
    assert.match(error.cause.message, /^lifespan openPool returned without yielding; a lifespan function sets up, yields once/)
    return true
  })
  assert.equal(appStarted, false)
})

test('serve() with a lifespan that never yields rejects, tears down the earlier ones, and never listens', async () => {
  const torn: string[] = []
  const startup = serve(async () => {}, {
    port: 0,
    logger: false,
    signals: false,
    lifespan: [
      async function* first() {
        yield
        torn.push('first')
      },
      async function* forgot() {},
    ],
  })
  await assert.rejects(startup, (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(String((error.cause as Error).message), /^lifespan\[1\] forgot returned without yielding/)
    return true
  })
  assert.deepEqual(torn, ['first'])
})

test('a lifespan that is not a generator or yields a non-object fails startup naming it', async () => {
  const plain = withLifespan(async () => {}, (async () => {}) as never)
  await assert.rejects(new LifespanManager(plain).startup(), { message: /must be an async generator function/ })
  const yieldsNumber = withLifespan(
    async () => {},
    async function* counter() {
      yield 42 as never
    },
  )
  await assert.rejects(new LifespanManager(yieldsNumber).startup(), { message: /lifespan counter yielded number/ })
})

test("a router's own teardown past the shutdown timeout is abandoned with its signal aborted", async () => {
  let signal: AbortSignal | undefined
  const app = router([], {
    shutdownTimeoutMs: 30,
    async *lifespan(ctx) {
      signal = ctx.signal
      yield
      await new Promise(() => {})
    },
  })
  const manager = new LifespanManager(app)
  await manager.startup()
  await assert.rejects(
    manager.shutdown(),
    (error: unknown) => error instanceof LifespanShutdownError && error.cause instanceof LifespanTimeoutError,
  )
  assert.equal(signal?.aborted, true)
})

test('a router refuses lifespan.shutdown from its parent before any startup with a ProtocolError', async () => {
  const app = router([])
  const messages: LifespanSendMessage[] = []
  const inbox = [{ type: 'lifespan.shutdown' as const }]
  await assert.rejects(
    app(
      { type: 'lifespan', tsgi: { version: '1.0' }, state: {} },
      async () => inbox.shift()!,
      async (m) => {
        messages.push(m as LifespanSendMessage)
      },
    ),
    (error: unknown) =>
      error instanceof ProtocolError && /'lifespan\.shutdown' is not allowed in state 'awaiting-startup'/.test(error.message),
  )
  assert.deepEqual(messages, [])
})
