// SCENARIOS.md level H: the node:http bridge over real sockets on 127.0.0.1.

import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { request } from 'undici'
import { mount, router, type App, type HttpScope, type ReceiveMessage } from '../src/index.ts'
import { delay, rawExchange, rawSocket, serveBridge, signal } from './support/bridge.ts'

const text =
  (status: number, body: string): App =>
  async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status, headers: [['content-type', 'text/plain']] })
    await send({ type: 'http.response.body', body })
  }

/** Reads every message until the body ends, recording each message's size and moreBody. */
const bodyRecorder =
  (seen: Array<[number, boolean]>): App =>
  async (_scope, receive, send) => {
    let total = ''
    for (;;) {
      const message = await receive()
      if (message.type !== 'http.request') break
      seen.push([message.body.byteLength, message.moreBody])
      total += Buffer.from(message.body).toString()
      if (!message.moreBody) break
    }
    await text(200, total)(_scope, receive, send)
  }

test('H1 a request body arrives in http.request messages with moreBody, and an empty body is one message with moreBody false', async (t) => {
  const seen: Array<[number, boolean]> = []
  const { origin } = await serveBridge(t, bodyRecorder(seen))

  async function* slowBody() {
    for (const part of ['first;', 'second;', 'third']) {
      yield Buffer.from(part)
      await delay(30)
    }
  }
  const streamed = await request(`${origin}/upload`, { method: 'POST', body: Readable.from(slowBody()) })
  assert.equal(await streamed.body.text(), 'first;second;third')
  assert.ok(seen.length >= 2, `expected several messages, got ${JSON.stringify(seen)}`)
  assert.deepEqual(
    seen.slice(0, -1).map(([, more]) => more),
    seen.slice(0, -1).map(() => true),
  )
  assert.equal(seen.at(-1)![1], false)

  seen.length = 0
  const empty = await request(`${origin}/nothing`)
  assert.equal(await empty.body.text(), '')
  assert.deepEqual(seen, [[0, false]])
})

test('H2 a client that disconnects mid-request yields http.disconnect to the app', async (t) => {
  const firstChunk = signal()
  const messages = signal<ReceiveMessage[]>()
  const { port } = await serveBridge(t, async (_scope, receive) => {
    const first = await receive()
    firstChunk.resolve()
    const second = await receive()
    messages.resolve([first, second])
  })
  const socket = await rawSocket(t, port)
  socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789')
  await firstChunk.promise
  socket.destroy()
  const [first, second] = await messages.promise
  assert.equal(first!.type, 'http.request')
  assert.equal(first!.type === 'http.request' && Buffer.from(first!.body).toString(), '0123456789')
  assert.equal(first!.type === 'http.request' && first!.moreBody, true)
  assert.deepEqual(second, { type: 'http.disconnect' })
})

test('H3 an app that throws before response.start gets a plain 500 with no stack trace in the body', async (t) => {
  const { origin, logs } = await serveBridge(t, async () => {
    throw new Error('database password is hunter2')
  })
  const response = await request(`${origin}/boom?x=1`)
  const body = await response.body.text()
  assert.equal(response.statusCode, 500)
  assert.match(String(response.headers['content-type']), /^text\/plain/)
  assert.equal(body, 'Internal Server Error')
  assert.doesNotMatch(body, /hunter2|at .*\.ts/)
  assert.equal(logs.length, 1)
  assert.equal(logs[0]![0], 'error')
  assert.match(String(logs[0]![1]), /GET \/boom/)
  assert.equal((logs[0]![2] as Error).message, 'database password is hunter2')
})

test('H4 an app that throws after response.start has its connection cut, and the server lives on', async (t) => {
  const { origin, port } = await serveBridge(t, async (scope, _receive, send) => {
    if (scope.type !== 'http' || scope.path === '/ok') return text(200, 'still here')(scope, _receive, send)
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'partial', moreBody: true })
    await delay(20)
    throw new Error('midway')
  })
  const raw = await rawExchange(t, port, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(raw, /^HTTP\/1\.1 200 OK/)
  assert.match(raw, /partial/)
  assert.doesNotMatch(raw, /\r\n0\r\n\r\n$/, 'a cut response never gets its closing chunk')

  const cut = await request(`${origin}/stream`)
  await assert.rejects(cut.body.text())
  const after = await request(`${origin}/ok`)
  assert.equal(await after.body.text(), 'still here')
})

test('H4 an app that throws in the same tick as its first chunk still has that chunk sent before the cut', async (t) => {
  const { port } = await serveBridge(t, async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'partial', moreBody: true })
    throw new Error('at once')
  })
  const raw = await rawExchange(t, port, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(raw, /^HTTP\/1\.1 200 OK/)
  assert.match(raw, /partial/)
  assert.doesNotMatch(raw, /\r\n0\r\n\r\n$/, 'a cut response never gets its closing chunk')
})

test('H5 an app that returns without responding gets a 500', async (t) => {
  const { origin, logs } = await serveBridge(t, async () => {})
  const response = await request(`${origin}/silent`, { method: 'DELETE' })
  assert.equal(response.statusCode, 500)
  assert.equal(await response.body.text(), 'Internal Server Error')
  assert.match(String(logs[0]![1]), /DELETE \/silent: returned without sending http\.response\.start/)
})

test('H6 repeated headers such as Set-Cookie survive both ways, in order', async (t) => {
  let seen: Array<[string, string]> = []
  const { origin, port } = await serveBridge(t, async (scope, _receive, send) => {
    seen = (scope as HttpScope).headers
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['Set-Cookie', 'a=1'],
        ['x-other', 'between'],
        ['set-cookie', 'b=2'],
        ['set-cookie', 'c=3'],
      ],
    })
    await send({ type: 'http.response.body', body: 'ok' })
  })
  const raw = await rawExchange(
    t,
    port,
    'GET / HTTP/1.1\r\nHost: x\r\nX-Tag: one\r\nAccept: */*\r\nx-tag: two\r\nConnection: close\r\n\r\n',
  )
  assert.deepEqual(seen, [
    ['host', 'x'],
    ['x-tag', 'one'],
    ['accept', '*/*'],
    ['x-tag', 'two'],
    ['connection', 'close'],
  ])
  const cookieLines = raw.split('\r\n').filter((line) => /^set-cookie:/i.test(line))
  assert.deepEqual(cookieLines, ['Set-Cookie: a=1', 'set-cookie: b=2', 'set-cookie: c=3'])

  const response = await request(origin)
  await response.body.text()
  assert.deepEqual(response.headers['set-cookie'], ['a=1', 'b=2', 'c=3'])
})

test('H7 HEAD, 204 and 304 responses carry no body, and the connection stays usable after them', async (t) => {
  const { port } = await serveBridge(t, async (scope, _receive, send) => {
    const path = (scope as HttpScope).path
    const status = path === '/204' ? 204 : path === '/304' ? 304 : 200
    await send({ type: 'http.response.start', status, headers: [['x-path', path]] })
    await send({ type: 'http.response.body', body: path === '/last' ? 'LAST' : 'MUST-NOT-APPEAR' })
  })
  const raw = await rawExchange(
    t,
    port,
    'HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /204 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /304 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  )
  assert.doesNotMatch(raw, /MUST-NOT-APPEAR/)
  const statuses = [...raw.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])
  assert.deepEqual(statuses, ['200', '204', '304', '200'])
  assert.match(raw, /content-length: 15\r\n/i, 'HEAD tells the length the GET would have')
  const noBody = raw.split(/(?=HTTP\/1\.1 )/).slice(1, 3)
  for (const response of noBody) assert.doesNotMatch(response, /content-length|transfer-encoding/i)
  assert.ok(raw.endsWith('\r\n\r\nLAST'))
})

test('H8 a body over the limit gets 413 and the app never receives the rest', async (t) => {
  let calls = 0
  const received: number[] = []
  const lastMessage = signal<ReceiveMessage>()
  const { origin, port } = await serveBridge(
    t,
    async (_scope, receive, send) => {
      calls++
      for (;;) {
        const message = await receive()
        if (message.type !== 'http.request') return lastMessage.resolve(message)
        received.push(message.body.byteLength)
        if (!message.moreBody) break
      }
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: 'took it' })
    },
    { maxBodyBytes: 1024 },
  )

  const declared = await rawExchange(t, port, `POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n${'x'.repeat(2048)}`)
  assert.match(declared, /^HTTP\/1\.1 413 Payload Too Large/)
  assert.match(declared, /connection: close/i)
  assert.equal(calls, 0, 'a declared length over the limit is refused before the app runs')

  async function* chunks() {
    for (let i = 0; i < 8; i++) {
      yield Buffer.alloc(300, 'y')
      await delay(15)
    }
  }
  const chunked = await request(`${origin}/up`, { method: 'POST', body: Readable.from(chunks()) })
  assert.equal(chunked.statusCode, 413)
  assert.equal(await chunked.body.text(), 'Payload Too Large')
  assert.deepEqual(await lastMessage.promise, { type: 'http.disconnect' })
  assert.equal(calls, 1)
  assert.ok(received.reduce((a, b) => a + b, 0) <= 1024, `the app got ${received.join('+')} bytes`)

  const within = await request(`${origin}/up`, { method: 'POST', body: 'z'.repeat(1024) })
  assert.equal(await within.body.text(), 'took it')
})

test("H9 '/a/../b' is routed as '/b', '/%2e%2e/%2e%2e/x' cannot climb above the root, and a malformed escape gets 400", async (t) => {
  const calls: Array<{ mount: string; path: string; rawPath: string; rootPath: string }> = []
  const record =
    (name: string): App =>
    async (scope, receive, send) => {
      const { path, rawPath, rootPath } = scope as HttpScope
      calls.push({ mount: name, path, rawPath, rootPath })
      await text(200, name)(scope, receive, send)
    }
  const { port } = await serveBridge(t, router([mount('/b', record('b')), mount('/x', record('x')), mount('/', record('root'))]))
  const get = (target: string) => rawExchange(t, port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)

  assert.match(await get('/a/../b'), /\r\n\r\nb$/)
  assert.deepEqual(calls.pop(), { mount: 'b', path: '/', rawPath: '/a/../b', rootPath: '/b' })
  assert.match(await get('/%2e%2e/%2e%2e/x'), /\r\n\r\nx$/)
  assert.deepEqual(calls.pop(), { mount: 'x', path: '/', rawPath: '/%2e%2e/%2e%2e/x', rootPath: '/x' })
  assert.match(await get('/a%2f..%2f..%2f..%2fx/y'), /\r\n\r\nx$/)
  assert.deepEqual(calls.pop(), { mount: 'x', path: '/y', rawPath: '/a%2f..%2f..%2f..%2fx/y', rootPath: '/x' })

  for (const bad of ['/%zz', '/a%2', '/%ff', '/%c3%28']) {
    assert.match(await get(bad), /^HTTP\/1\.1 400 Bad Request/, bad)
  }
  assert.equal(calls.length, 0, 'no app runs for a path that cannot be decoded')
})

test('H10 a slow response body respects back-pressure: send() waits for the socket to drain', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 'z')
  const total = 512 // 32 MiB: far more than socket buffers hold (about 4 MiB here)
  let written = 0
  const finished = signal()
  const { port } = await serveBridge(t, async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-length', String(chunk.byteLength * total)]] })
    for (let i = 0; i < total; i++) {
      await send({ type: 'http.response.body', body: chunk, moreBody: i < total - 1 })
      written++
    }
    finished.resolve()
  })
  const socket = await rawSocket(t, port)
  socket.pause()
  socket.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await delay(300)
  assert.ok(written < total / 2, `the app kept writing into a client that does not read: ${written} of ${total} chunks`)

  let bytes = 0
  socket.on('data', (data: Buffer) => (bytes += data.byteLength))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.resume()
  await finished.promise
  await closed
  assert.equal(written, total)
  assert.ok(bytes > chunk.byteLength * total, 'every byte arrived once the client read')
})
