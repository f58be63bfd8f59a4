// server.timings and serve({ logTimings }): the startup and shutdown trees follow the app as
// its routers nest it, name each hook, lifespan, listen and the drain, and are drawn in the log
// as avvio's prettyPrint draws Fastify's plugins.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { embed, mount, route, router, serve, type App, type TimingNode } from '../src/index.ts'
import { drawTimings } from '../src/lifespan/timings.ts'
import { memoryLogger, sleep } from './support/observe.ts'
import { startMachine } from './support/cluster.ts'

/** An app whose lifespan startup takes `ms`, and answers every request with 204. */
function slowStarter(ms: number): App {
  return async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      await receive()
      await sleep(ms)
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      await send({ type: 'lifespan.shutdown.complete' })
      return
    }
    await send({ type: 'http.response.start', status: 204 })
    await send({ type: 'http.response.body' })
  }
}

/** The tree as names only, each line indented by depth: what a shape assertion compares. */
function shape(node: TimingNode, depth = 0): string[] {
  return [`${'  '.repeat(depth)}${node.name}`, ...node.children.flatMap((child) => shape(child, depth + 1))]
}

function find(node: TimingNode, name: string): TimingNode {
  if (node.name === name) return node
  for (const child of node.children) {
    try {
      return find(child, name)
    } catch {}
  }
  throw new Error(`no node named '${name}'`)
}

function nestedApp(): App {
  const items = router([route('GET', '/', slowStarter(60))], {
    lifespan: async function* openCache() {
      await sleep(20)
      yield
    },
  })
  return router([mount('/api', router([mount('/items', items), mount('/users', slowStarter(5))])), mount('/mcp', slowStarter(30))])
}

/** The startup tree of nestedApp(), as shape() draws it: the same under serve() and embed(). */
const NESTED_APP_STARTUP = [
  'startup',
  '  app',
  '    /api',
  '      /items',
  '        lifespan openCache',
  '        /',
  '      /users',
  '    /mcp',
]

test('server.timings nests the app as its routers nest it, and names each lifespan, hook, listen and the drain', async () => {
  const logger = memoryLogger()
  const server = await serve(nestedApp(), {
    port: 0,
    signals: false,
    logger,
    logTimings: true,
    lifespan: async function* openPool() {
      yield
    },
    onStartup: [async function warmCache() {}, () => undefined],
    onShutdown: [async function flushQueue() {}],
  })
  assert.equal(server.timings.shutdown, null, 'no shutdown tree before close()')
  assert.deepEqual(shape(server.timings.startup), [
    ...NESTED_APP_STARTUP,
    '  lifespan[0] openPool',
    '  onStartup[0] warmCache',
    '  onStartup[1] anonymous',
    '  listen',
  ])
  // Each node lasts at least what ran inside it, and no longer than its parent.
  const app = find(server.timings.startup, 'app')
  assert.ok(find(app, '/').ms >= 55, `'/' took ${find(app, '/').ms} ms, it sleeps 60`)
  assert.ok(find(app, '/items').ms >= find(app, '/').ms + find(app, 'lifespan openCache').ms - 1)
  assert.ok(find(app, '/mcp').ms >= 25)
  assert.ok(app.ms >= find(app, '/api').ms + find(app, '/mcp').ms - 1)
  assert.ok(server.timings.startup.ms >= app.ms)

  await server.close()
  assert.deepEqual(shape(server.timings.shutdown!), [
    'shutdown',
    '  drain',
    '  onShutdown[0] flushQueue',
    '  lifespan[0] openPool',
    '  app',
    '    /mcp',
    '    /api',
    '      /users',
    '      /items',
    '        /',
    '        lifespan openCache',
  ])
  const drawn = logger.lines.filter((line) => line.startsWith('info tsgi: timings'))
  assert.equal(drawn.length, 2, 'one drawing once started, one once stopped')
  assert.equal(drawn[0], `info tsgi: timings\n${drawTimings(server.timings.startup)}`)
  assert.equal(drawn[1], `info tsgi: timings\n${drawTimings(server.timings.shutdown!)}`)
})

test('the drawing puts each node on a line with ├── and └── and its milliseconds, as avvio does', () => {
  const tree: TimingNode = {
    name: 'startup',
    ms: 91.5,
    children: [
      {
        name: 'app',
        ms: 80,
        children: [
          { name: '/api', ms: 60, children: [{ name: '/items', ms: 59.25, children: [] }] },
          { name: '/mcp', ms: 20, children: [] },
        ],
      },
      { name: 'onStartup[0] warm', ms: 1, children: [] },
      { name: 'listen', ms: 0.4, children: [] },
    ],
  }
  assert.equal(
    drawTimings(tree),
    [
      'startup 91.5 ms',
      '├── app 80 ms',
      '│   ├── /api 60 ms',
      '│   │   └── /items 59.25 ms',
      '│   └── /mcp 20 ms',
      '├── onStartup[0] warm 1 ms',
      '└── listen 0.4 ms',
    ].join('\n'),
  )
})

test('a child that fails at startup leaves its started siblings in the startup tree as rollbacks', async () => {
  const failing: App = async (scope, receive, send) => {
    if (scope.type !== 'lifespan') return
    await receive()
    await send({ type: 'lifespan.startup.failed', message: 'no database' })
  }
  const app = router([mount('/a', router([mount('/ok', slowStarter(1)), mount('/broken', failing)]))])
  await assert.rejects(serve(app, { port: 0, signals: false, logger: false }))
  // serve() rejected, so the trees are read from embed(), which runs the same lifecycle.
  const embedded = embed(app, { logger: false })
  await assert.rejects(embedded.startup())
  assert.deepEqual(shape(embedded.timings.startup), ['startup', '  app', '    /a', '      /ok', '      /broken', '      /ok (rollback)'])
  assert.deepEqual(shape(embedded.timings.shutdown!), ['shutdown'])
})

test('embed() keeps the same trees, with the gate opening as its listen step', async () => {
  const logger = memoryLogger()
  const embedded = embed(nestedApp(), { logger, logTimings: true, onShutdown: [function closePool() {}] })
  await embedded.startup()
  assert.deepEqual(shape(embedded.timings.startup).slice(0, 8), NESTED_APP_STARTUP)
  assert.equal(embedded.timings.startup.children.length, 2)
  await embedded.close()
  assert.deepEqual(shape(embedded.timings.shutdown!).slice(0, 4), ['shutdown', '  drain', '  onShutdown[0] closePool', '  app'])
  assert.equal(logger.lines.filter((line) => line.startsWith('info tsgi: timings')).length, 2)
})

test('logTimings must be a boolean', async () => {
  await assert.rejects(serve(slowStarter(0), { logTimings: 'yes' as never, signals: false }), /logTimings must be true or false, got 'yes'/)
  assert.throws(() => embed(slowStarter(0), { logTimings: 1 as never }), /logTimings must be true or false, got 1/)
})

test("a cluster's primary tree holds each worker's own startup tree under 'workers', and each worker's stop under the drain", async (t) => {
  const machine = startMachine({ OPTIONS: JSON.stringify({ logTimings: true }) })
  t.after(() => machine.destroy())
  const ready = await machine.waitFor((line) => line.event === 'primary ready', 'primary ready')
  const startup = ready.timings as { startup: TimingNode }
  const workers = find(startup.startup, 'workers')
  assert.equal(workers.children.length, 2)
  for (const worker of workers.children) {
    assert.match(worker.name, /^worker \d+ \(pid \d+\)$/)
    assert.deepEqual(
      worker.children.map((c) => c.name),
      ['app', 'onStartup[0] workerStartup', 'listen'],
    )
  }
  assert.deepEqual(
    startup.startup.children.map((c) => c.name),
    ['onStartup[0] startScheduler', 'workers'],
  )
  process.kill(machine.child.pid!, 'SIGTERM')
  assert.equal(await machine.exit, 0)
  // The primary draws both trees; the shutdown's drain holds one stop per worker.
  const out = machine.stdout()
  assert.match(
    out,
    /tsgi: timings\nstartup [\d.]+ ms\n├── onStartup\[0\] startScheduler [\d.]+ ms\n└── workers [\d.]+ ms\n {4}├── worker \d+ \(pid \d+\) [\d.]+ ms\n {4}│ {3}├── app [\d.]+ ms\n/,
  )
  assert.match(
    out,
    /tsgi: timings\nshutdown [\d.]+ ms\n├── drain [\d.]+ ms\n│ {3}├── worker \d+ \(pid \d+\) [\d.]+ ms\n│ {3}└── worker \d+ \(pid \d+\) [\d.]+ ms\n└── onShutdown\[0\] stopScheduler [\d.]+ ms/,
  )
})
