// toHono() under @hono/node-server, where the request is read off the node pair. Alone on its
// route the app's answer is written on the node response and node-server is handed its
// already-sent marker; behind a Hono middleware the answer is a Response the middleware sees.
// Either way the body limits, the protocol's order of messages, and an app that stops early
// end the exchange as the node bridge ends it.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request } from 'node:http'
import { connect, createServer as createHttp2Server } from 'node:http2'
import { type TestContext, test } from 'node:test'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { type Embedded, toHono } from '../src/embed/hono.ts'
import { readBody } from '../src/http.ts'
import type { App } from '../src/index.ts'
import { host, honoWays } from './support/hosts.ts'
import { memoryLogger } from './support/observe.ts'

/** Posts `chunks` one write at a time (chunked when no length is declared); resolves with the status. */
function post(origin: string, path: string, chunks: string[], declared?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = declared === undefined ? {} : { 'content-length': String(declared) }
    const req = request(`${origin}${path}`, { method: 'POST', headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

/**
 * Serves `honoApp` on node-server (HTTP/2 cleartext with `createServer` from node:http2), after
 * `mounted.startup()`, recording what node-server is handed back for each request: the
 * already-sent marker's value when the bridge wrote the answer itself, null for a Response.
 */
async function serveRecording(
  t: TestContext,
  honoApp: Hono,
  mounted: Embedded,
  createServer?: typeof createHttp2Server,
): Promise<{ port: number; handedBack: Array<string | null>; responses: Response[] }> {
  const handedBack: Array<string | null> = []
  const responses: Response[] = []
  const fetch = async (request: Request, env: unknown): Promise<Response> => {
    const response = await honoApp.fetch(request, env)
    handedBack.push(response.headers.get('x-hono-already-sent'))
    responses.push(response)
    return response
  }
  await mounted.startup()
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1', ...(createServer === undefined ? {} : { createServer }) })
  t.after(async () => {
    await mounted.close()
    await new Promise((resolve) => server.close(resolve))
  })
  await new Promise((resolve) => server.once('listening', resolve))
  return { port: (server.address() as { port: number }).port, handedBack, responses }
}

test('hono on node-server: alone on its route the answer is written on the node response; behind a middleware it is a Response the middleware sees', async (t) => {
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 201, headers: [['x-app', 'tsgi']] })
    await send({ type: 'http.response.body', body: 'made' })
  }
  const mounted = toHono(app, { logger: false })
  const seenByMiddleware: Array<[number, string | null]> = []
  const honoApp = new Hono()
  honoApp.use('/wrapped/*', async (c, next) => {
    await next()
    seenByMiddleware.push([c.res.status, c.res.headers.get('x-app')])
  })
  honoApp.route('/alone', mounted.hono)
  honoApp.route('/wrapped', mounted.hono)
  // What node-server is handed back: the marker that it must write nothing, or the answer.
  const { port, handedBack, responses } = await serveRecording(t, honoApp, mounted)
  for (const path of ['/alone/x', '/alone/y', '/wrapped/x']) {
    const response = await globalThis.fetch(`http://127.0.0.1:${port}${path}`)
    assert.equal(response.status, 201, path)
    assert.equal(response.headers.get('x-app'), 'tsgi', path)
    assert.equal(response.headers.get('x-hono-already-sent'), null, path)
    assert.equal(await response.text(), 'made', path)
  }
  assert.deepEqual(handedBack, ['true', 'true', null])
  assert.deepEqual(seenByMiddleware, [[201, 'tsgi']])
  // The marker is one Response for every request; read as any Response it says the same thing
  // through every accessor, and no wrapper can change what the next request is handed.
  const [marker, again] = responses as [Response, Response]
  assert.equal(marker, again)
  assert.ok(marker instanceof Response)
  assert.equal(marker.body, null)
  assert.equal(marker.headers.has('X-Hono-Already-Sent'), true)
  assert.equal(marker.headers.has('set-cookie'), false)
  assert.deepEqual([...marker.headers], [['x-hono-already-sent', 'true']])
  assert.deepEqual([...marker.headers.entries()], [['x-hono-already-sent', 'true']])
  assert.throws(() => marker.headers.set('x-wrapper', '1'), TypeError)
  assert.throws(() => marker.headers.append('x-wrapper', '1'), TypeError)
  assert.throws(() => marker.headers.delete('x-hono-already-sent'), TypeError)
  assert.deepEqual([...marker.headers], [['x-hono-already-sent', 'true']])
})

test('hono on node-server over HTTP/2 (h2c): the answer is a Response node-server writes, not the HTTP/1 bridge', async (t) => {
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['x-app', 'tsgi']] })
    await send({ type: 'http.response.body', body: `${scope.httpVersion} ${scope.rootPath} ${scope.path}` })
  }
  const mounted = toHono(app, { logger: false })
  const honoApp = new Hono().route('/a', mounted.hono)
  const { port, handedBack } = await serveRecording(t, honoApp, mounted, createHttp2Server)
  const client = connect(`http://127.0.0.1:${port}`)
  const stream = client.request({ ':path': '/a/x' })
  const [head] = (await once(stream, 'response')) as [Record<string, string | number>]
  let body = ''
  stream.setEncoding('utf8')
  for await (const chunk of stream) body += chunk
  // Before the assertions: the server's close() waits for this session to end.
  client.close()
  assert.equal(head[':status'], 200)
  assert.equal(head['x-app'], 'tsgi')
  // ASGI's spelling, as serve() gives it: '2', not node's '2.0'.
  assert.equal(body, '2 /a /x')
  assert.deepEqual(handedBack, [null], 'node-server was handed the answer, not the already-sent marker')
})

for (const [way, setup] of honoWays) {
  test(`hono on node-server, ${way}: a body past maxBodyBytes gets 413, declared or streamed, and readBody()'s own limit does too`, async (t) => {
    const seen: number[] = []
    const reader: App = async (scope, receive, send) => {
      if (scope.type !== 'http') return
      const body = await readBody(receive, { limit: scope.path === '/small' ? 4 : Infinity })
      seen.push(body.byteLength)
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: 'read' })
    }
    const hosted = await host('hono', reader, { ...setup, options: { maxBodyBytes: 16 } })
    t.after(() => hosted.close())
    assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(64)], 64), 413)
    assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(10), 'y'.repeat(10)]), 413)
    assert.equal(await post(hosted.origin, '/a/small', ['x'.repeat(10)], 10), 413)
    assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(10)], 10), 200)
    assert.deepEqual(seen, [10])
  })

  test(`hono on node-server, ${way}: a body before its start is refused with a ProtocolError, and the request answered 500`, async (t) => {
    const logger = memoryLogger()
    const errors: unknown[] = []
    const early: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return
      try {
        await send({ type: 'http.response.body', body: 'too soon' })
      } catch (error) {
        errors.push(error)
        throw error
      }
    }
    const hosted = await host('hono', early, { ...setup, options: { logger } })
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/x`)
    assert.equal(response.status, 500)
    assert.equal(await response.text(), 'Internal Server Error')
    assert.equal(errors.length, 1)
    assert.equal((errors[0] as Error).name, 'ProtocolError')
    assert.match((errors[0] as Error).message, /'http.response.body' cannot be sent .* 'idle'/)
  })

  test(`hono on node-server, ${way}: an app that returns after its start ends the response empty, with one warning`, async (t) => {
    const logger = memoryLogger()
    const quitter: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return
      await send({ type: 'http.response.start', status: 202, headers: [['x-app', 'quit']] })
    }
    const hosted = await host('hono', quitter, { ...setup, options: { logger } })
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/x`)
    assert.equal(response.status, 202)
    assert.equal(response.headers.get('x-app'), 'quit')
    assert.equal(await response.text(), '')
    assert.deepEqual(logger.lines, ['warn tsgi: GET /a/x: the app returned before the final body; the response was ended'])
  })
}
