// C: composition. A router and its children: the lifespan fans out to every child, in mount
// order, and back in reverse; failures roll back; routes pick the child by path. As a
// process, the Python peer composes with Starlette's Router/Mount/Route.

import { DESIGN, SPEC, STARLETTE, boot, bootFails, down, leaf, mounted, stop, stopFails, tree, up } from './shapes.ts'
import type { Scenario } from './types.ts'

const abc = tree('root', mounted(leaf('a'), leaf('b'), leaf('c')))
const withB = (b: Parameters<typeof leaf>[1]) => tree('root', mounted(leaf('a'), leaf('b', b), leaf('c')))

export const compositionScenarios: Scenario[] = [
  {
    id: 'C1',
    level: 'C',
    source: `${SPEC} C1; starlette#649`,
    title: 'children a, b, c start in mount order and stop in reverse',
    setup: { app: abc },
    actions: [boot, stop],
    expect: { trace: [...up('a', 'b', 'c'), ...down('c', 'b', 'a')] },
  },
  {
    id: 'C2',
    level: 'C',
    source: `${SPEC} C2`,
    title: 'nested routers three deep: startup depth-first, shutdown the exact mirror',
    setup: {
      app: tree('root', [
        { mount: '/one', app: leaf('one') },
        {
          mount: '/inner',
          app: tree('inner', [
            { mount: '/two', app: leaf('two') },
            { mount: '/deep', app: tree('deep', mounted(leaf('three'))) },
          ]),
        },
        { mount: '/four', app: leaf('four') },
      ]),
    },
    actions: [boot, stop],
    expect: { trace: [...up('one', 'two', 'three', 'four'), ...down('four', 'three', 'two', 'one')] },
  },
  {
    id: 'C3',
    level: 'C',
    source: `${SPEC} C3; ${DESIGN} (the router's lifespan runs first)`,
    title: "a router's own lifespan wraps its children: setup first, teardown last",
    setup: { app: tree('root', mounted(leaf('a'), leaf('b')), { lifespan: {} }) },
    actions: [boot, stop],
    expect: { trace: ['root.setup', ...up('a', 'b'), ...down('b', 'a'), 'root.teardown'] },
  },
  {
    id: 'C4',
    level: 'C',
    source: `${SPEC} C4`,
    title: 'child b fails at startup: c never starts, a is shut down, one failure names /b',
    setup: { app: withB({ startup: { then: 'fail', message: 'b is broken' } }) },
    actions: [bootFails],
    expect: {
      trace: [...up('a'), 'b.startup', 'b.startup.failed', ...down('a')],
      once: ['>lifespan.startup.failed'],
      detail: { '>lifespan.startup.failed': ['/b', 'b is broken'] },
    },
  },
  {
    id: 'C5',
    level: 'C',
    source: `${SPEC} C5`,
    title: 'child b throws after receiving startup: rolled back like C4, the cause kept',
    setup: { app: withB({ startup: { then: 'throw', message: 'b exploded' } }) },
    actions: [
      {
        do: 'boot',
        expect: { ok: false, error: 'LifespanStartupError', message: ['/b'], cause: { error: 'Error', message: ['b exploded'] } },
      },
    ],
    expect: { trace: [...up('a'), 'b.startup', 'b.startup.throw', ...down('a')] },
  },
  {
    id: 'C6',
    level: 'C',
    source: `${SPEC} C6`,
    title: 'child b does not support lifespan: skipped, a and c run normally',
    setup: { app: withB({ lifespan: 'unsupported' }) },
    actions: [boot, stop],
    expect: { trace: [...up('a'), 'b.unsupported', ...up('c'), ...down('c', 'a')] },
  },
  {
    id: 'C7',
    level: 'C',
    source: `${SPEC} C7`,
    title: 'child b returns without any message: a and c run normally',
    setup: { app: withB({ lifespan: 'silent' }) },
    actions: [boot, stop],
    expect: { trace: [...up('a'), 'b.silent', ...up('c'), ...down('c', 'a')] },
  },
  {
    id: 'C8',
    level: 'C',
    source: `${SPEC} C8`,
    title: 'two children fail at shutdown: all are shut down, one failure names both',
    setup: {
      app: tree(
        'root',
        mounted(
          leaf('a', { shutdown: { then: 'fail', message: 'a flush failed' } }),
          leaf('b'),
          leaf('c', { shutdown: { then: 'fail', message: 'c flush failed' } }),
        ),
      ),
    },
    actions: [boot, stopFails],
    expect: {
      trace: [...up('a', 'b', 'c'), 'c.shutdown', 'c.shutdown.failed', ...down('b'), 'a.shutdown', 'a.shutdown.failed'],
      once: ['>lifespan.shutdown.failed'],
      detail: { '>lifespan.shutdown.failed': ['a flush failed', 'c flush failed'] },
    },
  },
  {
    id: 'C9',
    level: 'C',
    source: `${SPEC} C9`,
    title: 'exactly one final message goes up, even when the rollback fails too',
    setup: {
      app: tree(
        'root',
        mounted(
          leaf('a', { shutdown: { then: 'fail', message: 'a rollback failed' } }),
          leaf('b', { startup: { then: 'fail', message: 'b is broken' } }),
        ),
      ),
    },
    actions: [bootFails],
    expect: {
      once: ['>lifespan.startup.failed'],
      absent: ['>lifespan.startup.complete', '>lifespan.shutdown.complete', '>lifespan.shutdown.failed'],
      detail: { '>lifespan.startup.failed': ['b is broken', 'a rollback failed'] },
    },
  },
  {
    id: 'C10',
    level: 'C',
    source: `${SPEC} C10`,
    title: "children share the parent's state: a key set by a is seen by b and by requests",
    setup: { app: tree('root', mounted(leaf('a', { startup: { state: { token: 't1' } } }), leaf('b', { startup: { reads: ['token'] } }))) },
    actions: [boot, { do: 'request', path: '/b/', expect: { status: 200, json: { app: 'b', state: { token: 't1' } } } }, stop],
    expect: { present: ['b.startup.read.token=t1'] },
  },
  {
    id: 'C11',
    level: 'C',
    source: `${SPEC} C11`,
    title: 'a child hangs at startup past the timeout: a is rolled back, the error names /b',
    setup: { app: tree('root', mounted(leaf('a'), leaf('b', { startup: { then: 'hang' } }), leaf('c')), { startupTimeoutMs: 150 }) },
    actions: [bootFails],
    expect: { trace: [...up('a'), 'b.startup', 'b.startup.hang', ...down('a')], detail: { '>lifespan.startup.failed': ['/b'] } },
  },
  {
    id: 'C12',
    level: 'C',
    source: `${SPEC} C12`,
    title: 'a child hangs at shutdown: abandoned after the timeout, its siblings still stop',
    setup: { app: tree('root', mounted(leaf('a'), leaf('b', { shutdown: { then: 'hang' } }), leaf('c')), { shutdownTimeoutMs: 150 }) },
    actions: [boot, stopFails],
    expect: { order: [[...down('c'), 'b.shutdown', ...down('a')]], detail: { '>lifespan.shutdown.failed': ['/b'] } },
  },
  {
    id: 'C13',
    level: 'C',
    source: `${SPEC} C13; ${STARLETTE} test_mount_urls`,
    title: "'/mcp' reaches the /mcp mount as '/', '/mcp/x' as '/x'; '/mcpx' does not",
    setup: { app: tree('root', [{ mount: '/mcp', app: leaf('mcp') }]) },
    actions: [
      boot,
      { do: 'request', path: '/mcp', expect: { status: 200, json: { app: 'mcp', path: '/' } } },
      { do: 'request', path: '/mcp/x', expect: { status: 200, json: { app: 'mcp', path: '/x' } } },
      { do: 'request', path: '/mcpx', expect: { status: 404 } },
      stop,
    ],
  },
  {
    id: 'C14',
    level: 'C',
    source: `${SPEC} C14; ${STARLETTE} test_mount_at_root / root_path`,
    title: 'rootPath accumulates across nested mounts; rawPath stays the full original path',
    setup: { app: tree('root', [{ mount: '/api', app: tree('api', [{ mount: '/v1', app: leaf('v1') }]) }]) },
    actions: [
      boot,
      {
        do: 'request',
        path: '/api/v1/items',
        expect: { status: 200, json: { app: 'v1', path: '/items', rootPath: '/api/v1', rawPath: '/api/v1/items' } },
      },
      stop,
    ],
  },
  {
    id: 'C15',
    level: 'C',
    source: `${SPEC} C15; ${STARLETTE} test_router (405)`,
    title: 'no route matches: 404; the path matches but not the method: 405 with Allow',
    setup: { app: tree('root', [{ route: '/health', methods: ['GET'], app: leaf('health') }]) },
    actions: [
      boot,
      { do: 'request', path: '/nope', expect: { status: 404 } },
      { do: 'request', method: 'POST', path: '/health', expect: { status: 405, headerIncludes: { allow: ['GET'] } } },
      { do: 'request', path: '/health', expect: { status: 200, json: { app: 'health' } } },
      stop,
    ],
  },
  {
    id: 'C16',
    level: 'C',
    source: `${DESIGN} (an app mounted twice is started once)`,
    title: 'an app mounted twice starts once and stops once',
    setup: {
      app: tree('root', [
        { mount: '/a', app: leaf('a') },
        { mount: '/alias', same: 'a' },
        { mount: '/b', app: leaf('b') },
      ]),
    },
    actions: [boot, { do: 'request', path: '/alias/', expect: { status: 200, json: { app: 'a' } } }, stop],
    expect: { once: ['a.startup', 'a.shutdown'], order: [[...up('a', 'b'), ...down('b', 'a')]] },
  },
  {
    id: 'C17',
    level: 'C',
    source: `${DESIGN} (the router's lifespan runs before its children)`,
    title: "the router's own setup fails: no child starts, there is nothing to tear down",
    setup: { app: tree('root', mounted(leaf('a')), { lifespan: { setup: { then: 'throw', message: 'pool refused' } } }) },
    actions: [bootFails],
    expect: { trace: ['root.setup', 'root.setup.throw'] },
  },
  {
    id: 'C18',
    level: 'C',
    source: `${DESIGN} (resources children need belong in the router's lifespan)`,
    title: "what the router's lifespan yields is in state before its children start",
    setup: { app: tree('root', mounted(leaf('a', { startup: { reads: ['db'] } })), { lifespan: { yields: { db: 'pool' } } }) },
    actions: [boot, { do: 'request', path: '/a/', expect: { status: 200, json: { state: { db: 'pool' } } } }, stop],
    expect: { present: ['a.startup.read.db=pool'] },
  },
  {
    id: 'C19',
    level: 'C',
    source: `${DESIGN} (the apps of mounts and routes alike)`,
    title: 'the app of a route() gets the lifespan too, in route order',
    setup: {
      app: tree('root', [
        { route: '/health', methods: ['GET'], app: leaf('health') },
        { mount: '/a', app: leaf('a') },
      ]),
    },
    actions: [boot, stop],
    expect: { trace: [...up('health', 'a'), ...down('a', 'health')] },
  },
  {
    id: 'C20',
    level: 'C',
    source: `${SPEC} C4 (the last child)`,
    title: 'the last child fails at startup: the others roll back in reverse',
    setup: { app: tree('root', mounted(leaf('a'), leaf('b'), leaf('c', { startup: { then: 'fail' } }))) },
    actions: [bootFails],
    expect: { trace: [...up('a', 'b'), 'c.startup', 'c.startup.failed', ...down('b', 'a')] },
  },
  {
    id: 'C21',
    level: 'C',
    source: `${SPEC} C4 (the first child)`,
    title: 'the first child fails at startup: nothing else starts or stops',
    setup: { app: tree('root', mounted(leaf('a', { startup: { then: 'fail' } }), leaf('b'))) },
    actions: [bootFails],
    expect: { trace: ['a.startup', 'a.startup.failed'] },
  },
  {
    id: 'C22',
    level: 'C',
    source: `${SPEC} C2 + C4`,
    title: 'a failure deep in a nested router rolls back inside out; the message names both paths',
    setup: {
      app: tree('root', [
        { mount: '/one', app: leaf('one') },
        {
          mount: '/inner',
          app: tree('inner', [
            { mount: '/two', app: leaf('two') },
            { mount: '/three', app: leaf('three', { startup: { then: 'fail', message: 'three failed' } }) },
          ]),
        },
        { mount: '/four', app: leaf('four') },
      ]),
    },
    actions: [bootFails],
    expect: {
      trace: [...up('one', 'two'), 'three.startup', 'three.startup.failed', ...down('two', 'one')],
      detail: { '>lifespan.startup.failed': ['/inner', '/three', 'three failed'] },
    },
  },
  {
    id: 'C23',
    level: 'C',
    source: `${SPEC} C6 + C7`,
    title: 'only the children that started are shut down (unsupported and silent ones are not)',
    setup: { app: tree('root', mounted(leaf('a'), leaf('b', { lifespan: 'unsupported' }), leaf('c', { lifespan: 'silent' }), leaf('d'))) },
    actions: [boot, stop],
    expect: { trace: [...up('a'), 'b.unsupported', 'c.silent', ...up('d'), ...down('d', 'a')] },
  },
  {
    id: 'C24',
    level: 'C',
    source: `${SPEC} P8 + C8`,
    title: 'a child crashes after startup: the shutdown reports it by path, siblings still stop',
    setup: { app: withB({ afterStartup: { delayMs: 20, then: 'throw', message: 'b crashed' } }) },
    actions: [boot, { do: 'wait', ms: 80 }, stopFails],
    expect: { trace: [...up('a', 'b', 'c'), 'b.after-startup.throw', ...down('c', 'a')], detail: { '>lifespan.shutdown.failed': ['/b'] } },
  },
  {
    id: 'C25',
    level: 'C',
    source: `${STARLETTE} test_mount_at_root`,
    title: "a '/' mount catches what no other route takes, and starts like any child",
    setup: {
      app: tree('root', [
        { mount: '/a', app: leaf('a') },
        { mount: '/', app: leaf('fallback') },
      ]),
    },
    actions: [
      boot,
      { do: 'request', path: '/zzz', expect: { status: 200, json: { app: 'fallback', path: '/zzz' } } },
      { do: 'request', path: '/a/x', expect: { status: 200, json: { app: 'a', path: '/x' } } },
      stop,
    ],
    expect: { order: [[...up('a', 'fallback')]] },
  },
  {
    id: 'C26',
    level: 'C',
    source: `${SPEC} C1 (mount order, not name order)`,
    title: 'children start in mount order even when it is not alphabetical',
    setup: { app: tree('root', mounted(leaf('z'), leaf('m'), leaf('a'))) },
    actions: [boot, stop],
    expect: { trace: [...up('z', 'm', 'a'), ...down('a', 'm', 'z')] },
  },
  {
    id: 'C27',
    level: 'C',
    source: `${DESIGN} (own teardown last, every step attempted)`,
    title: "a child's shutdown failure does not skip the router's own teardown",
    setup: { app: tree('root', mounted(leaf('a', { shutdown: { then: 'fail', message: 'a failed' } })), { lifespan: {} }) },
    actions: [boot, stopFails],
    expect: { trace: ['root.setup', ...up('a'), 'a.shutdown', 'a.shutdown.failed', 'root.teardown'] },
  },
]
