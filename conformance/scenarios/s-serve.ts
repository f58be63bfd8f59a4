// S: serve(). The composed lifecycle around the app: lifespan functions, hooks, listen,
// drain, close(), phases and the `tsgi:lifecycle` channel. In process; close() is the stop.

import { ADCP, DESIGN, FASTIFY, SPEC, boot, bootFails, down, leaf, mounted, stop, tree, up } from './shapes.ts'
import type { Scenario, ServerSpec } from './types.ts'

const ab = tree('root', mounted(leaf('a'), leaf('b')))
const everything: ServerSpec = {
  lifespan: [{ name: 'openPool' }, { name: 'openCache' }],
  onStartup: [{ name: 'warm' }, { name: 'announce' }],
  onShutdown: [{ name: 'flush' }, { name: 'goodbye' }],
}

export const serveScenarios: Scenario[] = [
  {
    id: 'S1', level: 'S', source: `${SPEC} S1; ${DESIGN} "Composed startup"`,
    title: 'startup order: app lifespan, lifespan setups, onStartup hooks, listen; then requests',
    setup: { app: ab, server: everything },
    actions: [boot, { do: 'request', path: '/a/', expect: { status: 200 } }, stop],
    expect: { order: [[...up('a', 'b'), 'lifespan.0.setup', 'lifespan.1.setup', 'hook.onStartup.0', 'hook.onStartup.1', 'lifecycle.listen.ok', '@ready', 'a.request']] },
  },
  {
    id: 'S2', level: 'S', source: `${SPEC} S2; ${DESIGN} "Composed shutdown"`,
    title: 'close(): drain, onShutdown hooks in order, teardowns reversed, the app reversed',
    setup: { app: ab, server: everything },
    actions: [boot, stop],
    expect: {
      order: [['@stop', 'lifecycle.phase.draining', 'hook.onShutdown.0', 'hook.onShutdown.1', 'lifespan.1.teardown', 'lifespan.0.teardown', ...down('b', 'a'), '@stopped']],
    },
  },
  {
    id: 'S3', level: 'S', source: `${SPEC} S3; ${ADCP} test_startup_hook_failure_aborts_boot`,
    title: 'onStartup hook 2 of 3 throws: hook 3 never runs, every onShutdown runs, nothing listened',
    setup: {
      app: tree('root', mounted(leaf('a'))),
      server: { onStartup: [{}, { then: 'throw', message: 'hook two broke' }, {}], onShutdown: [{}, {}] },
    },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', cause: { message: ['hook two broke'] } } }],
    expect: {
      present: ['hook.onShutdown.0', 'hook.onShutdown.1', ...down('a')],
      absent: ['hook.onStartup.2', 'lifecycle.listen.start', 'lifecycle.listen.ok'],
      phase: 'failed',
    },
  },
  {
    id: 'S4', level: 'S', source: `${SPEC} S4`,
    title: 'a child fails at startup: no hook runs, started children stop, serve() rejects',
    setup: { app: tree('root', mounted(leaf('a'), leaf('b', { startup: { then: 'fail', message: 'b is broken' } }))), server: { onStartup: [{}], onShutdown: [{}] } },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', message: ['/b'] } }],
    expect: { present: down('a'), absent: ['hook.onStartup.0', 'hook.onShutdown.0'] },
  },
  {
    id: 'S5', level: 'S', source: `${SPEC} S5; ${ADCP} test_shutdown_hooks_all_attempted_when_one_raises`,
    title: 'onShutdown hooks all run when one throws; close() rejects with the first, the rest attached',
    setup: { app: leaf('app'), server: { onShutdown: [{}, { then: 'throw', message: 'first failure' }, { then: 'throw', message: 'second failure' }] } },
    actions: [boot, { do: 'stop', expect: { ok: false, error: 'LifespanShutdownError', cause: { message: ['first failure'] }, alsoMessages: ['second failure'] } }],
    expect: { order: [['hook.onShutdown.0', 'hook.onShutdown.1', 'hook.onShutdown.2', 'app.shutdown']] },
  },
  {
    id: 'S6', level: 'S', source: `${SPEC} S6; ${DESIGN} (logs name the step, not the secret)`,
    title: 'a hook error holding a secret: the log names the hook, not the secret',
    setup: { app: leaf('app'), server: { onStartup: [{ name: 'connectDb', then: 'throw', message: 'postgres://admin:hunter2@db/prod refused' }] } },
    actions: [bootFails],
    expect: { logIncludes: ['connectDb'], logExcludes: ['hunter2'] },
  },
  {
    id: 'S7', level: 'S', source: `${SPEC} S7`,
    title: 'hooks get state, an AbortSignal and the logger; what a lifespan function yields reaches requests',
    setup: { app: leaf('app'), server: { lifespan: [{ yields: { feature: 'on' } }], onStartup: [{ inspectContext: true, reads: ['feature'] }] } },
    actions: [boot, { do: 'request', path: '/', expect: { status: 200, json: { state: { feature: 'on' } } } }, stop],
    expect: { present: ['hook.onStartup.0.ctx=state,signal,logger', 'hook.onStartup.0.read.feature=on'] },
  },
  {
    id: 'S8', level: 'S', source: `${SPEC} S8`,
    title: 'each request sees a shallow copy of state: replacing a key does not leak, mutating does',
    setup: { app: leaf('app'), server: { lifespan: [{ yields: { flag: 'original', bag: {} } }] } },
    actions: [
      boot,
      { do: 'request', path: '/?do=set-state&key=flag&value=changed', expect: { json: { state: { flag: 'changed', bag: {} } } } },
      { do: 'request', path: '/', expect: { json: { state: { flag: 'original', bag: {} } } } },
      { do: 'request', path: '/?do=mutate-state&key=bag&field=seen&value=yes', expect: { status: 200 } },
      { do: 'request', path: '/', expect: { json: { state: { flag: 'original', bag: { seen: 'yes' } } } } },
      stop,
    ],
  },
  {
    id: 'S9', level: 'S', source: `${SPEC} S9; undici close() (a second caller joins)`,
    title: 'close() twice at once: both resolve, every hook runs once',
    setup: { app: leaf('app'), server: { onShutdown: [{}] } },
    actions: [boot, { do: 'stop-twice' }, { do: 'stop' }],
    expect: { once: ['hook.onShutdown.0', 'app.shutdown'] },
  },
  {
    id: 'S10', level: 'S', source: `${SPEC} S10`,
    title: 'the port is taken: the full shutdown runs, serve() rejects with the bind error',
    setup: { app: leaf('app'), server: { portTaken: true, onStartup: [{}], onShutdown: [{}] } },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', cause: { code: 'EADDRINUSE' } } }],
    expect: { order: [['hook.onStartup.0', 'hook.onShutdown.0', 'app.shutdown']], phase: 'failed' },
  },
  {
    id: 'S11', level: 'S', source: `${SPEC} S11`,
    title: 'a shutdown hook past shutdownTimeoutMs: abandoned, its signal aborted, the next still runs',
    setup: { app: leaf('app'), server: { shutdownTimeoutMs: 150, onShutdown: [{ name: 'stuck', then: 'hang' }, {}] } },
    actions: [boot, { do: 'stop', expect: { ok: false, error: 'LifespanShutdownError', cause: { error: 'LifespanTimeoutError', message: ['onShutdown[0] stuck'] } } }],
    expect: { order: [['hook.onShutdown.0', 'hook.onShutdown.0.aborted', 'hook.onShutdown.1', 'app.shutdown']] },
  },
  {
    id: 'S12', level: 'S', source: `${SPEC} S12; ${DESIGN} (never masked by a cleanup error)`,
    title: 'an error already propagating is not masked by a cleanup error',
    setup: { app: leaf('app'), server: { onStartup: [{ then: 'throw', message: 'startup broke' }], onShutdown: [{ then: 'throw', message: 'cleanup broke' }] } },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', cause: { message: ['startup broke'] }, alsoMessages: ['cleanup broke'] } }],
  },
  {
    id: 'S13', level: 'S', source: `${SPEC} S13`,
    title: 'phases: starting, running, draining, stopping, stopped',
    setup: { app: leaf('app') },
    actions: [boot, stop],
    expect: { order: [['lifecycle.phase.starting', 'lifecycle.phase.running', 'lifecycle.phase.draining', 'lifecycle.phase.stopping', 'lifecycle.phase.stopped']], phase: 'stopped' },
  },
  {
    id: 'S14', level: 'S', source: `${SPEC} S13 (a failed startup)`,
    title: 'a failed startup ends in the failed phase',
    setup: { app: leaf('app', { startup: { then: 'fail' } }) },
    actions: [bootFails],
    expect: { order: [['lifecycle.phase.starting', 'lifecycle.phase.stopping', 'lifecycle.phase.failed']], absent: ['lifecycle.phase.running'], phase: 'failed' },
  },
  {
    id: 'S15', level: 'S', source: `${SPEC} S14; ${DESIGN} (the tsgi:lifecycle channel)`,
    title: 'every step is published on tsgi:lifecycle, each event with all five keys',
    setup: { app: leaf('app'), server: everything },
    actions: [boot, stop],
    expect: {
      present: [
        'lifecycle.app.start', 'lifecycle.app.ok', 'lifecycle.lifespan.ok', 'lifecycle.onStartup.ok', 'lifecycle.listen.ok',
        'lifecycle.drain.start', 'lifecycle.drain.ok', 'lifecycle.onShutdown.ok', 'lifecycle.teardown.ok', 'lifecycle.app-shutdown.ok',
      ],
      absent: ['lifecycle.malformed'],
    },
  },
  {
    id: 'S16', level: 'S', source: `${DESIGN} "Failures" (a lifespan function fails at setup)`,
    title: 'a lifespan function fails at setup: earlier ones torn down in reverse, the app stopped, no hook runs',
    setup: {
      app: leaf('app'),
      server: { lifespan: [{}, {}, { setup: { then: 'throw', message: 'third failed' } }], onStartup: [{}], onShutdown: [{}] },
    },
    actions: [bootFails],
    expect: {
      order: [['lifespan.2.setup.throw', 'lifespan.1.teardown', 'lifespan.0.teardown', 'app.shutdown']],
      absent: ['hook.onStartup.0', 'hook.onShutdown.0', 'lifespan.2.teardown'],
    },
  },
  {
    id: 'S17', level: 'S', source: `${ADCP} test_on_startup_fires_after_framework_startup`,
    title: 'onStartup hooks run after every mounted app has started, in order',
    setup: { app: tree('root', mounted(leaf('mcp'), leaf('a2a'))), server: { onStartup: [{}, {}] } },
    actions: [boot, { do: 'request', path: '/a2a/', expect: { status: 200 } }, stop],
    expect: { order: [[...up('mcp', 'a2a'), 'hook.onStartup.0', 'hook.onStartup.1']] },
  },
  {
    id: 'S18', level: 'S', source: `${ADCP} test_on_shutdown_fires_in_order_after_yield`,
    title: 'onShutdown hooks never fire while serving, then run in order before the app stops',
    setup: { app: leaf('app'), server: { onShutdown: [{}, {}] } },
    actions: [boot, { do: 'request', path: '/', expect: { status: 200 } }, stop],
    expect: { order: [['app.response', 'hook.onShutdown.0', 'hook.onShutdown.1', 'app.shutdown']], once: ['hook.onShutdown.0', 'hook.onShutdown.1'] },
  },
  {
    id: 'S19', level: 'S', source: `${DESIGN} "Timeouts"`,
    title: 'an onStartup hook past startupTimeoutMs: startup fails naming it, onShutdown hooks run',
    setup: { app: leaf('app'), server: { startupTimeoutMs: 150, onStartup: [{ name: 'warmCache', then: 'hang' }], onShutdown: [{}] } },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', cause: { error: 'LifespanTimeoutError', message: ['onStartup[0] warmCache'] } } }],
    expect: { present: ['hook.onStartup.0.aborted', 'hook.onShutdown.0', 'app.shutdown'] },
  },
  {
    id: 'S20', level: 'S', source: `${DESIGN} (the app's whole lifespan is one step named 'app')`,
    title: "a slow app startup is bounded by serve()'s startupTimeoutMs as the step 'app'",
    setup: { app: leaf('app', { startup: { delayMs: 600 } }), server: { startupTimeoutMs: 150 } },
    actions: [{ do: 'boot', expect: { ok: false, error: 'LifespanStartupError', cause: { error: 'LifespanTimeoutError', message: ["'app'"] } } }],
    expect: { absent: ['@ready'] },
  },
  {
    id: 'S21', level: 'S', source: `${DESIGN} "Composed shutdown" (draining)`,
    title: 'close() with a request in flight: it finishes with 200 and Connection: close, then the app stops',
    setup: { app: leaf('app') },
    actions: [
      boot,
      { do: 'request', path: '/?delay=300', background: 'slow' },
      { do: 'wait-for', event: 'app.request' },
      stop,
      { do: 'settle', name: 'slow', expect: { status: 200, headerIncludes: { connection: ['close'] } } },
    ],
    expect: { order: [['app.response', 'app.shutdown']] },
  },
  {
    id: 'S22', level: 'S', source: `${DESIGN} (drainTimeoutMs)`,
    title: 'a request past drainTimeoutMs is cut and the shutdown goes on',
    setup: { app: leaf('app'), server: { drainTimeoutMs: 150 } },
    actions: [
      boot,
      { do: 'request', path: '/?delay=1500', background: 'slow' },
      { do: 'wait-for', event: 'app.request' },
      { do: 'stop', withinMs: 1000 },
      { do: 'settle', name: 'slow', expect: { fails: 'any' } },
    ],
    expect: { order: [['@stop', 'app.shutdown', '@stopped']] },
  },
  {
    id: 'S23', level: 'S', source: `${SPEC} X6 in process; ${FASTIFY}`,
    title: 'close() with an idle keep-alive connection: closed at once, close() does not wait for it',
    setup: { app: leaf('app') },
    actions: [boot, { do: 'idle-connection' }, { do: 'stop', withinMs: 1000 }, { do: 'wait-for', event: '@idle.closed', timeoutMs: 1000 }],
  },
  {
    id: 'S24', level: 'S', source: `${SPEC} X10 in process`,
    title: 'once close() began, new connections are refused',
    setup: { app: leaf('app', { shutdown: { delayMs: 400 } }) },
    actions: [boot, { do: 'stop', background: 'closing' }, { do: 'wait-for', event: 'app.shutdown' }, { do: 'connect', expect: 'refused' }, { do: 'settle', name: 'closing' }],
  },
  {
    id: 'S25', level: 'S', source: `${DESIGN} (closed resolves when stopped)`,
    title: 'close() resolves only after the app finished its shutdown',
    setup: { app: leaf('app', { shutdown: { delayMs: 200 } }), server: { onShutdown: [{ delayMs: 100 }] } },
    actions: [boot, stop],
    expect: { order: [['hook.onShutdown.0', 'app.shutdown.complete', 'lifecycle.phase.stopped', '@stopped']], phase: 'stopped' },
  },
  {
    id: 'S26', level: 'S', source: `${SPEC} X3 in process`,
    title: 'an app without lifespan support is served anyway and gets no shutdown',
    setup: { app: leaf('app', { lifespan: 'unsupported' }), server: { onStartup: [{}], onShutdown: [{}] } },
    actions: [boot, { do: 'request', path: '/', expect: { status: 200 } }, stop],
    expect: { trace: ['app.unsupported', 'hook.onStartup.0', 'app.request', 'app.response', 'hook.onShutdown.0'] },
  },
  {
    id: 'S27', level: 'S', source: `${SPEC} S7 (hooks write state)`,
    title: 'state written by an onStartup hook reaches requests',
    setup: { app: leaf('app'), server: { onStartup: [{ state: { warmed: 'yes' } }] } },
    actions: [boot, { do: 'request', path: '/', expect: { status: 200, json: { state: { warmed: 'yes' } } } }, stop],
  },
]
