// The host's own middleware decorates a tsgi answer as it decorates its native routes: headers
// set before the mount (Express, a Fastify hook) or after the handler (Hono's cors(), a
// c.header() after next()) reach the client beside the app's, for a whole and a streamed body.
// Under Hono the answer is a Response, so a failure and a refused header must still keep the
// app's error text and stack away from the client and from node-server's console, and a
// fromNodeHandler() child's own answer must survive what Hono's middleware does to that Response.

import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import { type TestContext, test } from 'node:test'
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { App } from '../src/index.ts'
import { honoWays, host, hostNames } from './support/hosts.ts'
import { memoryLogger } from './support/observe.ts'

/** What reaches console.error and console.info during the test (node-server logs there). */
function consoleOf(t: TestContext): unknown[] {
  const lines: unknown[] = []
  const { error, info } = console
  console.error = (...args: unknown[]) => lines.push(args)
  console.info = (...args: unknown[]) => lines.push(args)
  t.after(() => {
    console.error = error
    console.info = info
  })
  return lines
}

const decorated: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const streamed = scope.path === '/stream'
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [
      ['content-type', 'text/plain'],
      ['x-app', 'app'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ],
  })
  if (streamed) {
    await send({ type: 'http.response.body', body: 'one,', moreBody: true })
    await send({ type: 'http.response.body', body: 'two', moreBody: false })
  } else await send({ type: 'http.response.body', body: 'whole' })
}

for (const name of hostNames) {
  test(`${name}: headers the host's middleware sets reach the client beside the app's, whole and streamed`, async (t) => {
    const hosted = await host(name, decorated, { before: 'headers' })
    t.after(() => hosted.close())
    for (const [path, body] of [
      ['/a/whole', 'whole'],
      ['/a/stream', 'one,two'],
    ] as const) {
      const response = await fetch(`${hosted.origin}${path}`, { headers: { origin: 'http://client.test' } })
      assert.equal(response.status, 200, path)
      assert.equal(response.headers.get('x-host'), 'host', path)
      assert.equal(response.headers.get('x-app'), 'app', path)
      assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2'], path)
      if (name === 'hono') assert.equal(response.headers.get('access-control-allow-origin'), '*', path)
      assert.equal(await response.text(), body, path)
    }
  })
}

/** The raw bytes a client gets before the connection ends, and whether it ended by a cut. */
function rawAnswer(origin: string, path: string): Promise<{ bytes: string; cut: boolean }> {
  return new Promise((resolve) => {
    let bytes = ''
    const req = request(`${origin}${path}`, (res) => {
      bytes += `${res.statusCode} ${JSON.stringify(res.headers)}\n`
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => (bytes += chunk))
      res.on('end', () => resolve({ bytes, cut: false }))
      res.on('error', () => resolve({ bytes, cut: true }))
      res.on('aborted', () => resolve({ bytes, cut: true }))
    })
    req.on('error', () => resolve({ bytes, cut: true }))
    req.end()
  })
}

// Alone on its route the bridge writes the node response; behind a middleware the answer is a Response.
for (const [way, setup] of honoWays) {
  test(`hono, ${way}: an app that fails mid-stream cuts the connection; its error text reaches neither the client nor the console`, async (t) => {
    const logger = memoryLogger()
    const failing: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
      await send({ type: 'http.response.body', body: 'partial', moreBody: true })
      throw new Error('secret detail of the failure')
    }
    const consoleLines = consoleOf(t)
    const hosted = await host('hono', failing, { ...setup, options: { logger } })
    t.after(() => hosted.close())
    const answer = await rawAnswer(hosted.origin, '/a/x')
    assert.equal(answer.cut, true, 'the client must not take the partial body for a whole one')
    assert.match(answer.bytes, /partial/)
    assert.doesNotMatch(answer.bytes, /secret|Error/)
    assert.deepEqual(consoleLines, [])
    assert.equal(logger.lines.filter((line) => line.includes('secret detail of the failure')).length, 1)
  })
}

test('hono: a header Node refuses gets a 500 with one log line, and no error text reaches the client', async (t) => {
  const logger = memoryLogger()
  const badHeader: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['x-bad', 'line\r\nbreak']] })
    await send({ type: 'http.response.body', body: 'never' })
  }
  const hosted = await host('hono', badHeader, { options: { logger } })
  t.after(() => hosted.close())
  const response = await fetch(`${hosted.origin}/a/x`)
  assert.equal(response.status, 500)
  assert.equal(await response.text(), 'Internal Server Error')
  assert.equal(response.headers.get('x-bad'), null)
  assert.equal(logger.lines.length, 1)
  assert.match(logger.lines[0]!, /^error tsgi: GET \/a\/x: the app threw/)
})

test('hono: a fromNodeHandler() child under toHono() writes its own answer, which node-server leaves alone; HEAD gets a clear 500', async (t) => {
  const { default: express } = await import('express')
  const { fromNodeHandler } = await import('../src/index.ts')
  const legacy = express().get('/users', (_req, res) => {
    res.json(['ada'])
  })
  const logger = memoryLogger()
  const hosted = await host('hono', fromNodeHandler(legacy, { logger }))
  t.after(() => hosted.close())
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${hosted.origin}/a/users`)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), ['ada'])
  }
  assert.equal((await fetch(`${hosted.origin}/a/nobody`)).status, 404)
  // Hono rebuilds a HEAD answer from the GET one and node-server would write it over the
  // handler's: HEAD is not handed over, and gets the clear 500 with its one log line.
  assert.equal((await fetch(`${hosted.origin}/a/users`, { method: 'HEAD' })).status, 500)
  assert.equal(logger.lines.length, 1)
  assert.match(logger.lines[0]!, /^error tsgi: HEAD \/a\/users: fromNodeHandler: this host gives no node:http request/)
})

// A Hono middleware that read c.res before next() (cors() does) or called c.header() after it
// has Hono copy the handler's Response into one of node-server's own, which node-server writes
// without looking for its already-sent marker: it must find nothing left to write on.
const copyingMiddlewares: ReadonlyArray<readonly [string, MiddlewareHandler]> = [
  ['cors(), which reads c.res before next()', cors()],
  [
    'a c.header() after next()',
    async (c, next) => {
      await next()
      c.header('x-host', 'host')
    },
  ],
]

for (const [label, middleware] of copyingMiddlewares) {
  test(`hono: behind ${label}, a fromNodeHandler() child that streams keeps its whole answer and its keep-alive connection; nothing reaches the console`, async (t) => {
    const { default: express } = await import('express')
    const { fromNodeHandler } = await import('../src/index.ts')
    const legacy = express().get('/slow', (_req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.write('one,')
      setTimeout(() => {
        res.write('two,')
        setTimeout(() => res.end('three'), 20)
      }, 20)
    })
    const consoleLines = consoleOf(t)
    const hosted = await host('hono', fromNodeHandler(legacy), { honoBefore: middleware })
    t.after(() => hosted.close())
    const { port } = hosted
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    t.after(() => agent.destroy())
    const answers: Array<{ body: string; reused: boolean }> = []
    for (let i = 0; i < 2; i++) {
      answers.push(
        await new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/a/slow', agent }, (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (body += chunk))
            res.on('end', () => resolve({ body, reused: req.reusedSocket }))
            res.on('error', reject)
          })
          req.on('error', reject)
          req.end()
        }),
      )
    }
    assert.deepEqual(answers, [
      { body: 'one,two,three', reused: false },
      { body: 'one,two,three', reused: true },
    ])
    assert.deepEqual(consoleLines, [])
  })
}
