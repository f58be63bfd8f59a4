import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  LifespanManager,
  LifespanShutdownError,
  LifespanStartupError,
  LifespanTimeoutError,
  ProtocolError,
  TSGI_VERSION,
  type App,
  type Scope,
} from '../src/index.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('P1 startup.complete then shutdown.complete resolves both, in that order', async () => {
  const trace: string[] = []
  const app: App = async (_scope, receive, send) => {
    trace.push((await receive()).type)
    await send({ type: 'lifespan.startup.complete' })
    trace.push('lifespan.startup.complete')
    trace.push((await receive()).type)
    await send({ type: 'lifespan.shutdown.complete' })
    trace.push('lifespan.shutdown.complete')
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  await manager.shutdown()
  assert.deepEqual(trace, ['lifespan.startup', 'lifespan.startup.complete', 'lifespan.shutdown', 'lifespan.shutdown.complete'])
  assert.equal(manager.supported, true)
})

test('P2 startup.failed with a message rejects with LifespanStartupError carrying the message', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.failed', message: 'database unreachable' })
  }
  const manager = new LifespanManager(app)
  await assert.rejects(manager.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal(error.code, 'TSGI_ERR_STARTUP')
    assert.equal(error.name, 'LifespanStartupError')
    assert.match(error.message, /database unreachable/)
    return true
  })
})

test('P3 startup.failed without a message key is an empty message and nothing crashes', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.failed' })
  }
  const manager = new LifespanManager(app)
  await assert.rejects(manager.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(error.message, /no message/)
    assert.equal(error.cause, undefined)
    return true
  })
  await manager.shutdown()
})

test('P4 an app that throws after receiving lifespan.startup fails startup with the thrown error as cause', async () => {
  const boom = new Error('boom')
  const app: App = async (_scope, receive) => {
    await receive()
    throw boom
  }
  const manager = new LifespanManager(app)
  await assert.rejects(manager.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.equal(error.cause, boom)
    assert.deepEqual(error.errors, [boom])
    return true
  })
})

test('P5 an app that throws before receiving lifespan.startup is unsupported: startup resolves, shutdown is a no-op', async () => {
  const logged: string[] = []
  const logger = { debug: (m: unknown) => logged.push(String(m)), info() {}, warn() {}, error() {} }
  let calls = 0
  const app: App = async (scope) => {
    calls++
    if (scope.type === 'lifespan') throw new Error('lifespan? never heard of it')
  }
  const manager = new LifespanManager(app, { logger })
  await manager.startup()
  assert.equal(manager.supported, false)
  await manager.shutdown()
  assert.equal(calls, 1)
  assert.equal(logged.length, 1)
  assert.match(logged[0]!, /does not support lifespan/)
})

test('P5 an app that throws synchronously before receiving is unsupported too', async () => {
  const app = ((scope: Scope) => {
    if (scope.type === 'lifespan') throw new Error('sync refusal')
    return Promise.resolve()
  }) as App
  const manager = new LifespanManager(app)
  await manager.startup()
  assert.equal(manager.supported, false)
})

test('P6 an app that returns without sending anything: startup resolves and shutdown resolves at once', async () => {
  const manager = new LifespanManager(async () => {})
  await manager.startup()
  assert.equal(manager.supported, true)
  const started = performance.now()
  await manager.shutdown()
  assert.ok(performance.now() - started < 50)
})

test('P7 shutdown.failed with a message rejects shutdown with LifespanShutdownError carrying it', async () => {
  const cause = new Error('flush failed')
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    await send({ type: 'lifespan.shutdown.failed', message: 'could not flush the queue', error: cause })
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  await assert.rejects(manager.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.equal(error.code, 'TSGI_ERR_SHUTDOWN')
    assert.match(error.message, /could not flush the queue/)
    assert.equal(error.cause, cause)
    return true
  })
})

test('P8 an app that throws after startup.complete while waiting is reported as a shutdown failure', async () => {
  const crash = new Error('worker died')
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await sleep(5)
    throw crash
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  await sleep(20)
  await assert.rejects(manager.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanShutdownError)
    assert.equal(error.cause, crash)
    return true
  })
})

test('P9 a second startup.complete throws ProtocolError out of send, naming the state and the message', async () => {
  let thrown: unknown
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    try {
      await send({ type: 'lifespan.startup.complete' })
    } catch (error) {
      thrown = error
    }
    await receive()
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  await manager.shutdown()
  assert.ok(thrown instanceof ProtocolError)
  assert.equal(thrown.code, 'TSGI_ERR_PROTOCOL')
  assert.match(thrown.message, /'lifespan\.startup\.complete'/)
  assert.match(thrown.message, /'started'/)
  assert.equal(thrown.state, 'started')
  assert.equal(thrown.messageType, 'lifespan.startup.complete')
})

test('P10 shutdown.complete before any startup throws ProtocolError out of send', async () => {
  let thrown: unknown
  const app: App = async (_scope, receive, send) => {
    await receive()
    try {
      await send({ type: 'lifespan.shutdown.complete' })
    } catch (error) {
      thrown = error
    }
    await send({ type: 'lifespan.startup.complete' })
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  assert.ok(thrown instanceof ProtocolError)
  assert.match(thrown.message, /'lifespan\.shutdown\.complete' is not allowed in state 'starting'/)
})

test('P11 an unknown message type throws ProtocolError out of send, and an uncaught one fails startup', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.done' } as never)
  }
  const manager = new LifespanManager(app)
  await assert.rejects(manager.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.ok(error.cause instanceof ProtocolError)
    assert.match(error.cause.message, /'lifespan\.startup\.done' is not a lifespan message in state 'starting'/)
    return true
  })
})

test('P11 an HTTP message on a lifespan scope throws ProtocolError naming it', async () => {
  let thrown: unknown
  const app: App = async (_scope, receive, send) => {
    await receive()
    try {
      await send({ type: 'http.response.start', status: 200 })
    } catch (error) {
      thrown = error
    }
    await send({ type: 'lifespan.startup.complete' })
  }
  await new LifespanManager(app).startup()
  assert.ok(thrown instanceof ProtocolError)
  assert.match(thrown.message, /'http\.response\.start'/)
})

test('P12 a startup slower than startupTimeoutMs rejects with LifespanTimeoutError naming startup', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    await sleep(200)
    await send({ type: 'lifespan.startup.complete' })
  }
  const manager = new LifespanManager(app, { startupTimeoutMs: 30 })
  const started = performance.now()
  await assert.rejects(manager.startup(), (error: unknown) => {
    assert.ok(error instanceof LifespanTimeoutError)
    assert.equal(error.code, 'TSGI_ERR_TIMEOUT')
    assert.equal(error.phase, 'startup')
    assert.match(error.message, /startup step 'app' did not finish within 30 ms/)
    return true
  })
  assert.ok(performance.now() - started < 150)
})

test('P13 a shutdown slower than shutdownTimeoutMs rejects with LifespanTimeoutError naming shutdown', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    await new Promise(() => {})
  }
  const manager = new LifespanManager(app, { shutdownTimeoutMs: 30, name: 'worker' })
  await manager.startup()
  await assert.rejects(manager.shutdown(), (error: unknown) => {
    assert.ok(error instanceof LifespanTimeoutError)
    assert.equal(error.phase, 'shutdown')
    assert.equal(error.step, 'worker')
    return true
  })
})

test('P14 an app that blocks synchronously and then completes gets no false timeout', async () => {
  const app: App = async (_scope, receive, send) => {
    await receive()
    const until = Date.now() + 80
    while (Date.now() < until) {
      // a synchronous block longer than the timeout: the timer cannot fire before the answer
    }
    await send({ type: 'lifespan.startup.complete' })
  }
  const manager = new LifespanManager(app, { startupTimeoutMs: 40 })
  await manager.startup()
})

test('P15 state written during startup is visible on the manager afterwards, on the object it was given', async () => {
  const shared = { preset: true }
  const app: App = async (scope, receive, send) => {
    await receive()
    scope.state.pool = 'connected'
    await send({ type: 'lifespan.startup.complete' })
  }
  const manager = new LifespanManager(app, { state: shared })
  await manager.startup()
  assert.equal(manager.state.pool, 'connected')
  assert.equal(manager.state, shared)
})

test('P16 the lifespan scope carries type, tsgi.version and a state object', async () => {
  let seen: Scope | undefined
  const manager = new LifespanManager(async (scope) => {
    seen = scope
  })
  await manager.startup()
  assert.equal(seen?.type, 'lifespan')
  assert.equal(seen?.tsgi.version, TSGI_VERSION)
  assert.equal(typeof seen?.state, 'object')
})

test('an app that receives startup and returns without answering has failed startup', async () => {
  const manager = new LifespanManager(async (_scope, receive) => {
    await receive()
  })
  await assert.rejects(manager.startup(), /returned without answering lifespan\.startup/)
})

test('an app that receives shutdown and returns without answering has failed shutdown', async () => {
  const manager = new LifespanManager(async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await receive()
  })
  await manager.startup()
  await assert.rejects(manager.shutdown(), /returned without answering lifespan\.shutdown/)
})

test('an app that throws after receiving shutdown fails shutdown with that error as cause', async () => {
  const crash = new Error('teardown crashed')
  const manager = new LifespanManager(async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    throw crash
  })
  await manager.startup()
  await assert.rejects(manager.shutdown(), (error: unknown) => error instanceof LifespanShutdownError && error.cause === crash)
})

test('an app that returns after startup.complete has nothing to shut down', async () => {
  const manager = new LifespanManager(async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
  })
  await manager.startup()
  await manager.shutdown()
})

test('startup and shutdown are idempotent, and asyncDispose shuts down', async () => {
  let startups = 0
  let shutdowns = 0
  const app: App = async (_scope, receive, send) => {
    await receive()
    startups++
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    shutdowns++
    await send({ type: 'lifespan.shutdown.complete' })
  }
  {
    await using manager = new LifespanManager(app)
    await Promise.all([manager.startup(), manager.startup()])
  }
  assert.equal(startups, 1)
  assert.equal(shutdowns, 1)
})

test('shutdown asked for during startup waits for startup, then shuts down what started', async () => {
  const trace: string[] = []
  const app: App = async (_scope, receive, send) => {
    await receive()
    await sleep(20)
    trace.push('started')
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    trace.push('stopped')
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const manager = new LifespanManager(app)
  const startup = manager.startup()
  const shutdown = manager.shutdown()
  await Promise.all([startup, shutdown])
  assert.deepEqual(trace, ['started', 'stopped'])
})

test('shutdown before any startup does nothing', async () => {
  let called = false
  const manager = new LifespanManager(async () => {
    called = true
  })
  await manager.shutdown()
  assert.equal(called, false)
})

test('a non-function app and a bad timeout are refused when the manager is built', () => {
  assert.throws(() => new LifespanManager('app' as never), {
    code: 'TSGI_ERR_INVALID_ARGUMENT',
    message: /needs an app function, got string/,
  })
  assert.throws(() => new LifespanManager(async () => {}, { startupTimeoutMs: -1 }), {
    name: 'InvalidArgumentError',
    message: /startupTimeoutMs must be a positive number of milliseconds.*-1/,
  })
})

test('an app that completes startup after its timeout is told to shut down, so nothing it opened leaks', async () => {
  const trace: string[] = []
  const warnings: string[] = []
  const logger = { debug() {}, info() {}, warn: (m: unknown) => warnings.push(String(m)), error() {} }
  const app: App = async (_scope, receive, send) => {
    await receive()
    await sleep(60)
    await send({ type: 'lifespan.startup.complete' })
    trace.push('started late')
    await receive()
    trace.push('told to stop')
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const manager = new LifespanManager(app, { startupTimeoutMs: 20, logger })
  await assert.rejects(manager.startup(), LifespanTimeoutError)
  await sleep(80)
  assert.deepEqual(trace, ['started late', 'told to stop'])
  assert.match(warnings[0]!, /finished startup after its time limit/)
  await manager.shutdown()
})
