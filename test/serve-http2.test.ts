// serve() with `http2: true`: HTTP/2 over TLS and HTTP/1.1 on the same port (ALPN), h2c with
// prior knowledge, many streams on one session, SSE streams multiplexed, HEAD, a client's
// stream reset, and the drain (GOAWAY, in-flight streams finish, close() never waits on an open
// session). Real TLS with a throwaway certificate the client trusts as its only CA.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { request as httpsRequest, type RequestOptions } from 'node:https'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { serve, type App, type HttpScope } from '../src/index.ts'
import { makeCertificate } from './support/certificate.ts'
import { openSession, request } from './support/http2.ts'
import { sleep } from './support/observe.ts'

const certificate = makeCertificate()
const tls = { key: certificate.key, cert: certificate.cert }

/** Answers what the request was: version, scheme, method, path, Host, body. */
const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return
  let body = ''
  for (;;) {
    const message = await receive()
    if (message.type !== 'http.request') break
    body += Buffer.from(message.body ?? new Uint8Array()).toString()
    if (!message.moreBody) break
  }
  const host = scope.headers.find(([name]) => name === 'host')?.[1]
  const text = JSON.stringify({ httpVersion: scope.httpVersion, scheme: scope.scheme, method: scope.method, path: scope.path, host, body })
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({ type: 'http.response.body', body: text })
}

function https1(url: string, path: string): Promise<{ status: number; body: string; alpn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      { ca: certificate.cert, agent: false, ALPNProtocols: ['http/1.1'] } as RequestOptions,
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode!, body, alpn: String((res.socket as { alpnProtocol?: unknown }).alpnProtocol) }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test('100 concurrent requests on one h2 session are all answered, each scope saying httpVersion 2 and https', async () => {
  const server = await serve(echo, { port: 0, logger: false, signals: false, tls, http2: true })
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const session = await openSession(server.url, certificate.cert)
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => request(session, { ':method': 'POST', ':path': `/n/${i}` }, `body ${i}`)),
    )
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 200)
      assert.deepEqual(JSON.parse(answer.body), {
        httpVersion: '2',
        scheme: 'https',
        method: 'POST',
        path: `/n/${i}`,
        host: server.url.slice('https://'.length),
        body: `body ${i}`,
      })
    })
    // The server's SETTINGS cap the streams one session may open (default 100).
    assert.equal(session.remoteSettings.maxConcurrentStreams, 100)
    session.close()
  } finally {
    await server.close()
  }
})

test('HTTP/1.1 on the same port (ALPN http/1.1) is served with httpVersion 1.1 and https', async () => {
  const server = await serve(echo, { port: 0, logger: false, signals: false, tls, http2: true, maxConcurrentStreams: 7 })
  try {
    const answer = await https1(server.url, '/one')
    assert.equal(answer.alpn, 'http/1.1')
    assert.equal(answer.status, 200)
    assert.deepEqual(
      { ...JSON.parse(answer.body), host: undefined },
      { httpVersion: '1.1', scheme: 'https', method: 'GET', path: '/one', host: undefined, body: '' },
    )
    const session = await openSession(server.url, certificate.cert)
    assert.equal(session.remoteSettings.maxConcurrentStreams, 7)
    session.close()
  } finally {
    await server.close()
  }
})

test('h2c: http2 without tls serves HTTP/2 with prior knowledge on a plain port, scheme http', async () => {
  const server = await serve(echo, { port: 0, logger: false, signals: false, http2: true })
  try {
    assert.match(server.url, /^http:\/\//)
    const session = await openSession(server.url)
    const answer = await request(session, { ':method': 'GET', ':path': '/c?x=1' })
    assert.equal(JSON.parse(answer.body).httpVersion, '2')
    assert.equal(JSON.parse(answer.body).scheme, 'http')
    session.close()
  } finally {
    await server.close()
  }
})

test('20 concurrent SSE streams on one h2 session each get every event, with no connection-specific header', async () => {
  const events = 10
  const sse: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    // What an SDK sets for SSE on HTTP/1.1; the bridge drops what HTTP/2 forbids.
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', 'text/event-stream'],
        ['cache-control', 'no-cache'],
        ['connection', 'keep-alive'],
        ['keep-alive', 'timeout=60'],
        ['transfer-encoding', 'chunked'],
      ],
    })
    for (let i = 0; i < events; i++) {
      await send({ type: 'http.response.body', body: `data: ${scope.path} ${i}\n\n`, moreBody: true })
      await sleep(5)
    }
    await send({ type: 'http.response.body', body: '' })
  }
  const server = await serve(sse, { port: 0, logger: false, signals: false, tls, http2: true })
  try {
    const session = await openSession(server.url, certificate.cert)
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request(session, { ':path': `/s${i}` })))
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 200)
      assert.equal(answer.headers['content-type'], 'text/event-stream')
      for (const name of ['connection', 'keep-alive', 'transfer-encoding']) assert.equal(answer.headers[name], undefined, name)
      const data = answer.body.split('\n\n').filter(Boolean)
      assert.deepEqual(
        data,
        Array.from({ length: events }, (_, n) => `data: /s${i} ${n}`),
      )
    })
    session.close()
  } finally {
    await server.close()
  }
})

test('HEAD over h2 gets the head without a body; a stream the client resets gives the app http.disconnect', async () => {
  let disconnected!: () => void
  const gone = new Promise<void>((resolve) => (disconnected = resolve))
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    if (scope.path === '/wait') {
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
      await send({ type: 'http.response.body', body: 'first', moreBody: true })
      // The first receive() gives the (empty) request body; the next waits for the client to leave.
      while ((await receive()).type !== 'http.disconnect');
      disconnected()
      return
    }
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
    await send({ type: 'http.response.body', body: 'twelve bytes' })
  }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true })
  try {
    const session = await openSession(server.url, certificate.cert)
    const head = await request(session, { ':method': 'HEAD', ':path': '/h' })
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal(head.headers['content-length'], '12')
    const get = await request(session, { ':path': '/h' })
    assert.equal(get.body, 'twelve bytes')
    const stream = session.request({ ':path': '/wait' })
    stream.on('error', () => undefined)
    await once(stream, 'data')
    stream.close(0x8) // CANCEL
    await Promise.race([gone, sleep(3_000).then(() => assert.fail('no http.disconnect within 3 s of the reset'))])
    // The session and its other streams go on.
    assert.equal((await request(session, { ':path': '/h' })).body, 'twelve bytes')
    session.close()
  } finally {
    await server.close()
  }
})

test('the drain sends GOAWAY to every session: an idle one closes at once, a slow stream finishes, and close() resolves', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
    if (scope.path === '/slow') {
      await send({ type: 'http.response.body', body: 'slow ', moreBody: true })
      await sleep(400)
    }
    await send({ type: 'http.response.body', body: 'done' })
  }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, drainTimeoutMs: 5_000 })
  const idle = await openSession(server.url, certificate.cert)
  await request(idle, { ':path': '/' })
  const busy = await openSession(server.url, certificate.cert)
  const idleGoaway = once(idle, 'goaway')
  const busyGoaway = once(busy, 'goaway')
  const idleClosed = once(idle, 'close')
  const slow = request(busy, { ':path': '/slow' })
  await sleep(50)
  const started = performance.now()
  const closing = server.close()
  const [code] = (await idleGoaway) as [number]
  assert.equal(code, 0, 'GOAWAY with NO_ERROR')
  await busyGoaway
  await idleClosed
  assert.ok(performance.now() - started < 300, 'the idle session closed before the slow stream ended')
  assert.equal((await slow).body, 'slow done')
  await closing
  assert.equal(server.phase, 'stopped')
})

test('close() resolves at drainTimeoutMs even with an h2 stream open that never ends (node#57611)', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    await send({ type: 'http.response.body', body: 'data: hi\n\n', moreBody: true })
    // Until the client leaves: an SSE stream that ignores scope.draining.
    while ((await receive()).type !== 'http.disconnect');
  }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, drainTimeoutMs: 300 })
  const session = await openSession(server.url, certificate.cert)
  session.on('error', () => undefined)
  const stream = session.request({ ':path': '/events' })
  stream.on('error', () => undefined)
  await once(stream, 'data')
  const sessionClosed = once(session, 'close')
  const started = performance.now()
  await Promise.race([server.close(), sleep(5_000).then(() => assert.fail('close() did not resolve within 5 s'))])
  const ms = performance.now() - started
  assert.ok(ms >= 250 && ms < 3_000, `closed after ${Math.round(ms)} ms`)
  await sessionClosed
})

test('during the shutdown delay new h2 streams are still served, with no Connection header, and /readyz answers 503', async () => {
  const server = await serve(echo, { port: 0, logger: false, signals: false, tls, http2: true, health: true, shutdownDelayMs: 400 })
  const session = await openSession(server.url, certificate.cert)
  assert.equal((await request(session, { ':path': '/readyz' })).status, 200)
  const closing = server.close()
  await sleep(50)
  const during = await request(session, { ':path': '/during' })
  assert.equal(during.status, 200)
  assert.equal(JSON.parse(during.body).path, '/during')
  assert.equal(during.headers.connection, undefined)
  const ready = await request(session, { ':path': '/readyz' })
  assert.equal(ready.status, 503)
  assert.equal((await request(session, { ':path': '/livez' })).status, 200)
  await closing
})

test('curl --http2 talks h2 to the server, trusting the certificate with --cacert', async (t) => {
  const features = await promisify(execFile)('curl', ['--version']).catch(() => null)
  if (features === null || !/HTTP2/.test(features.stdout)) return t.skip('this curl has no HTTP/2 (nghttp2)')
  const server = await serve(echo, { port: 0, logger: false, signals: false, tls, http2: true })
  try {
    const { stdout } = await promisify(execFile)('curl', [
      '--silent',
      '--show-error',
      '--http2',
      '--cacert',
      certificate.certFile,
      '--write-out',
      '\n%{http_version}',
      `${server.url}/curl`,
    ])
    const [body, version] = stdout.split('\n')
    assert.equal(version, '2')
    assert.equal((JSON.parse(body!) as Pick<HttpScope, 'httpVersion'>).httpVersion, '2')
  } finally {
    await server.close()
  }
})

test('h2 timeouts: an upload unfinished at requestTimeoutMs gets 408, an SSE GET outlives it, idle sessions get GOAWAY', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    if (scope.method === 'POST') {
      while ((await receive()).type === 'http.request');
      return
    }
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    for (let i = 0; i < 4; i++) {
      await send({ type: 'http.response.body', body: `data: ${i}\n\n`, moreBody: true })
      await sleep(200)
    }
    await send({ type: 'http.response.body', body: '' })
  }
  const limits = { headersTimeoutMs: 200, requestTimeoutMs: 300, keepAliveTimeoutMs: 300 }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, ...limits })
  try {
    const session = await openSession(server.url, certificate.cert)
    const started = performance.now()
    const upload = session.request({ ':method': 'POST', ':path': '/upload' }, { endStream: false })
    upload.write('part of a body that never ends')
    upload.on('error', () => undefined)
    const events = request(session, { ':path': '/events' })
    const [head] = (await once(upload, 'response')) as [Record<string, unknown>]
    assert.equal(head[':status'], 408)
    const ms = performance.now() - started
    assert.ok(ms >= 250 && ms < 2_000, `408 after ${Math.round(ms)} ms`)
    // Not cut at requestTimeoutMs: its request was whole from the start.
    assert.equal((await events).body, 'data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n')
    // Nothing open on the session now: it is closed with GOAWAY after keepAliveTimeoutMs.
    await Promise.race([once(session, 'goaway'), sleep(3_000).then(() => assert.fail('no GOAWAY within 3 s of idling'))])
    // A session that opens no stream at all is closed after headersTimeoutMs.
    const silent = await openSession(server.url, certificate.cert)
    await Promise.race([once(silent, 'goaway'), sleep(3_000).then(() => assert.fail('the silent session got no GOAWAY within 3 s'))])
  } finally {
    await server.close()
  }
})

test('a client that stops reading an h2 stream has it reset after writeTimeoutMs; the app sees http.disconnect and the session goes on', async () => {
  let disconnected!: () => void
  const gone = new Promise<void>((resolve) => (disconnected = resolve))
  const chunk = new Uint8Array(64 * 1024)
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/octet-stream']] })
    if (scope.path !== '/flood') return send({ type: 'http.response.body', body: 'ok' })
    let left = false
    void (async () => {
      while ((await receive()).type !== 'http.disconnect');
      left = true
      disconnected()
    })()
    // Back-pressure holds this loop on the stream's flow control; only the reset ends it.
    while (!left) await send({ type: 'http.response.body', body: chunk, moreBody: true })
  }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, writeTimeoutMs: 300 })
  try {
    const session = await openSession(server.url, certificate.cert)
    const stream = session.request({ ':path': '/flood' })
    stream.on('error', () => undefined)
    await once(stream, 'response')
    stream.pause() // Reads nothing: the stream's window fills and the server's buffer stays put.
    const started = performance.now()
    await Promise.race([gone, sleep(5_000).then(() => assert.fail('no http.disconnect within 5 s'))])
    const ms = performance.now() - started
    assert.ok(ms >= 250, `cut after ${Math.round(ms)} ms`)
    await once(stream, 'close')
    assert.equal(stream.rstCode, 8, 'reset with CANCEL')
    assert.equal((await request(session, { ':path': '/' })).body, 'ok')
    session.close()
  } finally {
    await server.close()
  }
})

test('at the drain an h2 request still uploading its body is answered 503 with Retry-After at once', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    while ((await receive()).type === 'http.request');
    await send({ type: 'http.response.start', status: 200, headers: [] })
    await send({ type: 'http.response.body', body: 'read it all' })
  }
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, drainTimeoutMs: 5_000 })
  const session = await openSession(server.url, certificate.cert)
  session.on('error', () => undefined)
  const upload = session.request({ ':method': 'POST', ':path': '/upload' }, { endStream: false })
  upload.on('error', () => undefined)
  upload.write('the first part')
  await sleep(50)
  const started = performance.now()
  const closing = server.close()
  const [head] = (await once(upload, 'response')) as [Record<string, unknown>]
  assert.equal(head[':status'], 503)
  assert.equal(head['retry-after'], '1')
  await closing
  assert.ok(performance.now() - started < 2_000, 'the drain did not wait on the upload')
})
