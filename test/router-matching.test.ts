import assert from 'node:assert/strict'
import { test } from 'node:test'

import { InvalidArgumentError, mount, route, router, type App, type HttpScope } from '../src/index.ts'
import { captureResponse } from './support/scripted-app.ts'

function httpScope(path: string, method = 'GET', rootPath = ''): HttpScope {
  return {
    type: 'http',
    tsgi: { version: '1.0' },
    httpVersion: '1.1',
    method,
    scheme: 'http',
    path,
    rawPath: rootPath + path,
    queryString: '',
    rootPath,
    headers: [],
    client: null,
    server: null,
    state: {},
  }
}

/** An app that records the scope it was called with, under a label. */
function recorder(label: string, seen: Array<{ label: string; scope: HttpScope }>): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    seen.push({ label, scope })
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: label })
  }
}

async function call(app: App, path: string, method = 'GET') {
  const response = captureResponse()
  await app(
    httpScope(path, method),
    async () => ({ type: 'http.request', body: new Uint8Array(), moreBody: false }),
    response.send as never,
  )
  return response
}

test("C13 '/mcp' reaches the mount with path '/', '/mcp/x' with '/x', and '/mcpx' does not", async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([mount('/mcp', recorder('mcp', seen)), mount('/', recorder('rest', seen))])
  await call(app, '/mcp')
  await call(app, '/mcp/')
  await call(app, '/mcp/x')
  await call(app, '/mcpx')
  assert.deepEqual(
    seen.map(({ label, scope }) => [label, scope.path, scope.rootPath]),
    [
      ['mcp', '/', '/mcp'],
      ['mcp', '/', '/mcp'],
      ['mcp', '/x', '/mcp'],
      ['rest', '/mcpx', ''],
    ],
  )
})

test("C14 a child's rootPath accumulates across nested mounts while rawPath stays the full original", async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([mount('/a', router([mount('/b', router([mount('/c', recorder('leaf', seen))]))]))])
  await call(app, '/a/b/c/d')
  const { scope } = seen[0]!
  assert.equal(scope.rootPath, '/a/b/c')
  assert.equal(scope.path, '/d')
  assert.equal(scope.rawPath, '/a/b/c/d')
})

test('C15 no route matching gives 404, a path matching with the wrong method gives 405 with Allow', async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([route('GET', '/items', recorder('list', seen)), route(['POST', 'put'], '/items', recorder('write', seen))])
  const missing = await call(app, '/nothing')
  assert.equal(missing.status, 404)
  const wrong = await call(app, '/items', 'DELETE')
  assert.equal(wrong.status, 405)
  assert.equal(wrong.header('allow'), 'GET, HEAD, POST, PUT')
  assert.equal((await call(app, '/items', 'PUT')).status, 200)
  assert.equal((await call(app, '/items', 'HEAD')).status, 200)
  assert.deepEqual(
    seen.map((s) => s.label),
    ['write', 'list'],
  )
})

test('routes are tried in order: an earlier catch-all mount wins over a later exact route', async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([mount('/', recorder('all', seen)), route('GET', '/x', recorder('x', seen))])
  await call(app, '/x')
  assert.deepEqual(
    seen.map((s) => s.label),
    ['all'],
  )
})

test('a later catch-all mount takes a path whose method an exact route refuses', async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([route('GET', '/x', recorder('x', seen)), mount('/', recorder('all', seen))])
  assert.equal((await call(app, '/x', 'POST')).status, 200)
  assert.deepEqual(
    seen.map((s) => s.label),
    ['all'],
  )
})

test('multi-segment prefixes share a first segment without shadowing each other', async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([
    mount('/api/v1', recorder('v1', seen)),
    mount('/api/v2', recorder('v2', seen)),
    route('GET', '/api', recorder('api', seen)),
  ])
  await call(app, '/api/v2/users')
  await call(app, '/api')
  assert.equal((await call(app, '/api/v3')).status, 404)
  assert.deepEqual(
    seen.map(({ label, scope }) => [label, scope.path]),
    [
      ['v2', '/users'],
      ['api', '/api'],
    ],
  )
})

test('the root path reaches an exact route on / and mount children get a copy, never the parent scope', async () => {
  const seen: Array<{ label: string; scope: HttpScope }> = []
  const app = router([route('GET', '/', recorder('root', seen)), mount('/m', recorder('m', seen))])
  const parent = httpScope('/m/z')
  await app(
    parent,
    async () => ({ type: 'http.disconnect' }),
    async () => {},
  )
  await call(app, '/')
  assert.equal(parent.path, '/m/z')
  assert.notEqual(seen[0]!.scope, parent)
  assert.equal(seen[1]!.label, 'root')
})

test('bad input is refused when the tree is built, with an error that names it', () => {
  const app: App = async () => {}
  const cases: Array<[() => unknown, RegExp]> = [
    [() => router('nope' as never), /takes an array of routes.*got string/],
    [() => router([{} as never]), /routes\[0\] is not a route/],
    [() => mount('mcp', app), /must start with '\/', got the string 'mcp'/],
    [() => mount('/mcp/', app), /must not end with '\/', got '\/mcp\/' \(use '\/mcp'\)/],
    [() => mount('/a?b', app), /plain path/],
    [() => mount('/mcp', 'app' as never), /mount\('\/mcp'\) needs an app function, got the string 'app'/],
    [() => router([mount('/a', app), mount('/a', app)]), /two mounts on the prefix '\/a'/],
    [() => router([route('GET', '/a', app), route(['POST', 'GET'], '/a', app)]), /two routes answer GET '\/a'/],
    [() => route([], '/a', app), /non-empty array/],
    [() => route('GE T', '/a', app), /HTTP method token/],
    [() => route('GET', 'a', app), /must start with '\/'/],
    [() => router([], { lifespan: 'x' as never }), /router lifespan must be an async generator function/],
    [() => router([], { startupTimeoutMs: 0 }), /router startupTimeoutMs must be a positive number/],
  ]
  for (const [build, message] of cases) {
    assert.throws(build, (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error))
      assert.equal(error.code, 'TSGI_ERR_INVALID_ARGUMENT')
      assert.match(error.message, message)
      return true
    })
  }
})

test('a router rejects a scope type it does not know with a ProtocolError', async () => {
  await assert.rejects(
    router([])(
      { type: 'telepathy' } as never,
      async () => ({ type: 'http.disconnect' }),
      async () => {},
    ),
    { code: 'TSGI_ERR_PROTOCOL', message: /unsupported scope type 'telepathy'/ },
  )
})
