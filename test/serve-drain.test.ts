import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'

import { Client, request } from 'undici'

import { mount, router, type App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { recordLifecycle, sleep } from './support/observe.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }

/** '/slow' answers after `slowMs`, in two chunks; anything else at once. */
function appWithSlowRoute(slowMs: number): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    if (scope.path === '/slow') {
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
      await send({ type: 'http.response.body', body: 'slow ', moreBody: true })
      await sleep(slowMs)
      await send({ type: 'http.response.body', body: 'done' })
      return
    }
    if (scope.path === '/late-head') {
      await sleep(slowMs)
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: 'late' })
      return
    }
    if (scope.path === '/never') return new Promise(() => {})
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'ok' })
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

test('the drain closes 200 idle keep-alive sockets at once and lets the slow request finish with connection: close', async () => {
  const server = await serve(appWithSlowRoute(300), quiet)
  const idle = Array.from({ length: 200 }, () => new Client(server.url, { keepAliveTimeout: 60_000 }))
  const idleResponses = await Promise.all(idle.map((c) => c.request({ path: '/', method: 'GET' })))
  await Promise.all(idleResponses.map((r) => r.body.text()))
  assert.ok(idleResponses.every((r) => r.headers.connection === 'keep-alive'))

  const slowClient = new Client(server.url)
  const slow = slowClient.request({ path: '/late-head', method: 'GET' })
  await sleep(50)
  const closeStarted = performance.now()
  let slowFinishedAt = 0
  const slowDone = slow.then(async (response) => {
    const text = await response.body.text()
    slowFinishedAt = performance.now()
    return { status: response.statusCode, connection: response.headers.connection, text }
  })
  await server.close()
  const closedAt = performance.now()
  const result = await slowDone
  assert.deepEqual(result, { status: 200, connection: 'close', text: 'late' })
  assert.ok(closedAt - slowFinishedAt < 100, `close resolved ${Math.round(closedAt - slowFinishedAt)} ms after the slow response`)
  assert.ok(closedAt - closeStarted < 1_000, `close took ${Math.round(closedAt - closeStarted)} ms, far under the keep-alive timeout`)
  await Promise.all([...idle, slowClient].map((c) => c.close()))
})

test('a response whose head went out before the drain still ends its socket as soon as it finishes', async () => {
  const server = await serve(appWithSlowRoute(200), quiet)
  const client = new Client(server.url, { keepAliveTimeout: 60_000 })
  const response = await client.request({ path: '/slow', method: 'GET' })
  assert.equal(response.headers.connection, 'keep-alive')
  const closeStarted = performance.now()
  const closing = server.close()
  assert.equal(await response.body.text(), 'slow done')
  await closing
  assert.ok(performance.now() - closeStarted < 600, `close took ${Math.round(performance.now() - closeStarted)} ms`)
  await client.close()
})

test('requests still in flight at drainTimeoutMs are cut and close() resolves then', async () => {
  const lifecycle = recordLifecycle()
  const server = await serve(appWithSlowRoute(0), { ...quiet, drainTimeoutMs: 100 })
  const client = new Client(server.url)
  const never = client.request({ path: '/never', method: 'GET' }).then(
    () => 'answered',
    (error: Error & { code?: string }) => error.code ?? error.name,
  )
  await sleep(30)
  const started = performance.now()
  await server.close()
  lifecycle.stop()
  const elapsed = performance.now() - started
  assert.ok(elapsed >= 90 && elapsed < 600, `close took ${Math.round(elapsed)} ms`)
  assert.equal(await never, 'UND_ERR_SOCKET')
  assert.ok(lifecycle.lines.includes('drain:drain:timeout'))
  await client.close()
})

test('new connections are refused once the drain began', async () => {
  const server = await serve(appWithSlowRoute(200), quiet)
  const port = Number(new URL(server.url).port)
  const client = new Client(server.url)
  const inFlight = client.request({ path: '/slow', method: 'GET' })
  await sleep(30)
  const closing = server.close()
  await sleep(10)
  await assert.rejects(open(port), { code: 'ECONNREFUSED' })
  await (await inFlight).body.text()
  await closing
  await client.close()
})

test('health: /livez answers 200 and /readyz 200 while running, before the app sees them; a half-sent probe does not hold the drain', async () => {
  const seenByApp: string[] = []
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    seenByApp.push(scope.path)
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'app' })
  }
  const server = await serve(app, { ...quiet, health: true })
  const live = await request(`${server.url}/livez`)
  assert.equal(live.statusCode, 200)
  assert.equal(await live.body.text(), 'live')
  const ready = await request(`${server.url}/readyz?verbose`)
  assert.equal(ready.statusCode, 200)
  await ready.body.text()
  assert.equal((await request(`${server.url}/livez`, { method: 'POST' })).statusCode, 200, 'other methods go to the app')
  assert.deepEqual(seenByApp, ['/livez'])

  // A probe still sending its head when the drain starts has no request in flight: its socket
  // is closed at once, unanswered, rather than hold the drain (probes during a delay are answered).
  const socket = await open(Number(new URL(server.url).port))
  socket.write('GET /readyz HTTP/1.1\r\nHost: probe\r\n')
  await sleep(30)
  const answer = new Promise<string>((resolve) => {
    let text = ''
    socket.on('data', (chunk) => (text += chunk))
    socket.on('close', () => resolve(text))
  })
  const started = performance.now()
  await server.close()
  assert.equal(await answer, '')
  assert.ok(performance.now() - started < 500, `close took ${Math.round(performance.now() - started)} ms`)
})

test('health paths can be moved', async () => {
  const server = await serve(appWithSlowRoute(0), { ...quiet, health: { live: '/healthz', ready: '/ready' } })
  assert.equal((await request(`${server.url}/healthz`)).statusCode, 200)
  assert.equal(await (await request(`${server.url}/ready`, { method: 'HEAD' })).body.text(), '')
  assert.equal(await (await request(`${server.url}/livez`)).body.text(), 'ok')
  await server.close()
})

test('the draining signal reaches nested children before lifespan.shutdown, so a stream they hold ends and close() is prompt', async () => {
  const order: string[] = []
  let streamDraining: AbortSignal | undefined
  const streamer: App = async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      await receive()
      streamDraining = scope.draining
      scope.draining?.addEventListener('abort', () => order.push('draining'))
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      order.push('lifespan.shutdown')
      await send({ type: 'lifespan.shutdown.complete' })
      return
    }
    // An endless event stream, as SSE endpoints hold: it ends only when the server drains.
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    await send({ type: 'http.response.body', body: 'data: hello\n\n', moreBody: true })
    await new Promise<void>((resolve) => streamDraining!.addEventListener('abort', () => resolve(), { once: true }))
    await send({ type: 'http.response.body', body: 'data: bye\n\n' })
  }
  const server = await serve(router([mount('/outer', router([mount('/events', streamer)]))]), { ...quiet, drainTimeoutMs: 5_000 })
  const client = new Client(server.url)
  const response = await client.request({ path: '/outer/events', method: 'GET' })
  const body = response.body.text()
  await sleep(20)
  const started = performance.now()
  await server.close()
  assert.ok(performance.now() - started < 500, `close took ${Math.round(performance.now() - started)} ms`)
  assert.equal(await body, 'data: hello\n\ndata: bye\n\n')
  assert.deepEqual(order, ['draining', 'lifespan.shutdown'])
  await client.close()
})
