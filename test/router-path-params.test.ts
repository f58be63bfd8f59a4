// Path parameters: route('GET', '/items/:id'), mount('/t/:tenant'); each takes one segment of the
// decoded path, and the app reads scope.pathParams, merged from the outer mounts to the inner route.
// Served for real: every request goes through serve() and a socket.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { InvalidArgumentError, mount, route, router, serve, sendJson, type App, type Server } from '../src/index.ts'

/** Answers what routing handed it. */
const echo: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const { path, rootPath, pathParams, routeTemplate } = scope
  await sendJson(send, 200, {
    path,
    rootPath,
    pathParams: pathParams ?? null,
    routeTemplate: routeTemplate ?? null,
  })
}

// Three routers deep: a tenant mount with a parameter, a plain mount, then routes with parameters.
const items = router([
  route('GET', '/items/new', echo),
  route('GET', '/items/:id', echo),
  route(['GET', 'PUT'], '/items/:id/tags/:tag', echo),
  mount('/by/:id', router([route('GET', '/:id', echo)])),
])
const app = router([mount('/t/:tenant', router([mount('/api', items)])), route('GET', '/:page', echo), route('GET', '/plain/x', echo)])

let server: Server
before(async () => {
  server = await serve(app, { port: 0, logger: false, signals: false })
})
after(() => server.close())

async function get(path: string, method = 'GET') {
  const response = await fetch(`${server.url}${path}`, { method })
  const text = await response.text()
  return { status: response.status, allow: response.headers.get('allow'), body: response.status === 200 ? JSON.parse(text) : text }
}

test('a route three routers deep gets the parameters of every level, decoded, with the rootPath the request had', async () => {
  assert.deepEqual((await get('/t/acme/api/items/42')).body, {
    path: '/items/42',
    rootPath: '/t/acme/api',
    pathParams: { tenant: 'acme', id: '42' },
    routeTemplate: '/t/:tenant/api',
  })
  const decoded = await get('/t/caf%C3%A9/api/items/a%20b/tags/x%2By')
  assert.deepEqual(decoded.body.pathParams, { tenant: 'café', id: 'a b', tag: 'x+y' })
  assert.equal(decoded.body.rootPath, '/t/café/api')
})

test('a parameter takes exactly one non-empty segment', async () => {
  assert.equal((await get('/t/acme/api/items/42/more')).status, 404)
  assert.equal((await get('/t/acme/api/items/')).status, 404)
  assert.equal((await get('/t/acme')).status, 404, 'the tenant router has no root')
  assert.equal((await get('/t/acme/api/items')).status, 404)
  assert.deepEqual((await get('/t')).body.pathParams, { page: 't' }, "'/t' has no segment for ':tenant': the later '/:page' takes it")
})

test('routes are tried in order, a literal before a parameter wins, and a method mismatch gets 405 with Allow', async () => {
  assert.deepEqual((await get('/t/acme/api/items/new')).body.pathParams, { tenant: 'acme' })
  const wrongMethod = await get('/t/acme/api/items/42/tags/x', 'POST')
  assert.equal(wrongMethod.status, 405)
  assert.equal(wrongMethod.allow, 'GET, HEAD, PUT')
  assert.deepEqual((await get('/t/acme/api/items/42/tags/x', 'PUT')).body.pathParams, { tenant: 'acme', id: '42', tag: 'x' })
})

test('an inner parameter of the same name wins over the outer one', async () => {
  const { body } = await get('/t/acme/api/by/outer/inner')
  assert.deepEqual(body.pathParams, { tenant: 'acme', id: 'inner' })
  assert.equal(body.routeTemplate, '/t/:tenant/api/by/:id')
})

test('a template starting with a parameter is tried for any first segment, after the literal ones in order', async () => {
  assert.deepEqual((await get('/about')).body.pathParams, { page: 'about' })
  const plain = await get('/plain/x')
  assert.equal(plain.body.pathParams, null, 'a route without parameters gets the scope as it was')
  assert.equal(plain.body.routeTemplate, null)
  assert.equal((await get('/')).status, 404, "'/' has no segment for ':page' to take")
})

test('malformed templates and templates that shadow each other are refused when the tree is built', () => {
  assert.throws(() => route('GET', '/items/:', echo), InvalidArgumentError)
  assert.throws(() => route('GET', '/items/:1d', echo), /letters, digits and '_'/)
  assert.throws(() => mount('/a/:id/b/:id', echo), /':id' appears twice/)
  assert.throws(() => router([mount('/t/:a', echo), mount('/t/:b', echo)]), /two mounts on the prefix '\/t\/:b'/)
  assert.throws(() => router([route('GET', '/i/:a', echo), route('GET', '/i/:b', echo)]), /two routes answer GET '\/i\/:b'/)
})
