// The node:http bridge beyond the H scenarios: the scope it builds, state per request, the
// protocol checks on send, keep-alive after unread bodies, and its options.

import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { test } from 'node:test'
import { Client, request } from 'undici'
import { toNodeHandler } from '../src/node/handler.ts'
import {
  InvalidArgumentError,
  ProtocolError,
  TSGI_VERSION,
  type App,
  type HttpScope,
  type ReceiveMessage,
  type SendMessage,
} from '../src/index.ts'
import { delay, rawExchange, rawSocket, receivedUntil, serveBridge, signal } from './support/bridge.ts'
import { scratchDir } from './support/observe.ts'

const ok: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200 })
  await send({ type: 'http.response.body', body: 'ok' })
}

test('the scope carries every field of the contract, built from the request as received', async (t) => {
  let scope: HttpScope | undefined
  const { port } = await serveBridge(t, async (s, receive, send) => {
    scope = s as HttpScope
    await ok(s, receive, send)
  })
  const socket = await rawSocket(t, port)
  const done = receivedUntil(socket, /\r\n\r\nok$/)
  socket.write('PATCH /items/a%20b?sort=desc&x=%2F HTTP/1.1\r\nHost: example.test\r\nX-Mixed-Case: Yes\r\n\r\n')
  await done
  assert.deepEqual(Object.keys(scope!).sort(), [
    'client',
    'headers',
    'httpVersion',
    'method',
    'path',
    'pathParams',
    'queryString',
    'rawPath',
    'rootPath',
    'routeTemplate',
    'scheme',
    'server',
    'state',
    'tsgi',
    'type',
  ])
  assert.equal(scope!.type, 'http')
  assert.deepEqual(scope!.tsgi, { version: TSGI_VERSION })
  assert.equal(scope!.httpVersion, '1.1')
  assert.equal(scope!.method, 'PATCH')
  assert.equal(scope!.scheme, 'http')
  assert.equal(scope!.rawPath, '/items/a%20b')
  assert.equal(scope!.path, '/items/a b')
  assert.equal(scope!.queryString, 'sort=desc&x=%2F')
  assert.equal(scope!.rootPath, '')
  assert.deepEqual(scope!.headers, [
    ['host', 'example.test'],
    ['x-mixed-case', 'Yes'],
  ])
  assert.deepEqual(scope!.client, ['127.0.0.1', socket.localPort])
  assert.deepEqual(scope!.server, ['127.0.0.1', port])
  assert.deepEqual(scope!.state, {})
})

test('serving requests adds no property to the socket: it keeps the shape a plain handler reading the same addresses leaves', async (t) => {
  /** The socket's own keys after two requests on one connection, as each server left them. */
  const keysAfterTwoRequests = async (server: Server, port: number): Promise<string[]> => {
    let socket: Socket | undefined
    server.once('connection', (accepted: Socket) => (socket = accepted))
    const client = await rawSocket(t, port)
    const done = receivedUntil(client, /ok[\s\S]*\r\n\r\nok$/)
    client.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n')
    await done
    return Reflect.ownKeys(socket!).map(String).sort()
  }
  const plain = createServer((req, res) => {
    const { remoteAddress, remotePort, localAddress, localPort } = req.socket
    res.end(remoteAddress && remotePort && localAddress && localPort ? 'ok' : 'no address')
  })
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    plain.closeAllConnections()
    plain.close()
  })
  const bridged = await serveBridge(t, async (scope, receive, send) => {
    assert.ok((scope as HttpScope).client !== null && (scope as HttpScope).server !== null)
    await ok(scope, receive, send)
  })
  const plainKeys = await keysAfterTwoRequests(plain, (plain.address() as AddressInfo).port)
  assert.deepEqual(await keysAfterTwoRequests(bridged.server, bridged.port), plainKeys)
})

test('requests taking turns on several connections and two servers each get their own connection addresses, in fresh tuples', async (t) => {
  const seen = new Map<string, { client: [string, number] | null; server: [string, number] | null }>()
  const app: App = async (scope, receive, send) => {
    const { client, server, rawPath } = scope as HttpScope
    seen.set(rawPath, { client: client && [...client], server: server && [...server] })
    // An app may change what it was handed; the next request on this connection must not see it.
    if (client !== null) client[1] = 0
    await ok(scope, receive, send)
  }
  const first = await serveBridge(t, app)
  const second = await serveBridge(t, app)
  const a = await rawSocket(t, first.port)
  const b = await rawSocket(t, second.port)
  const c = await rawSocket(t, first.port)
  const ask = async (socket: Socket, path: string): Promise<void> => {
    const done = receivedUntil(socket, /\r\n\r\nok$/)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
    await done
  }
  const turns: Array<[Socket, string, number]> = [
    [a, '/a1', first.port],
    [b, '/b1', second.port],
    [a, '/a2', first.port],
    [a, '/a3', first.port],
    [c, '/c1', first.port],
    [b, '/b2', second.port],
    [a, '/a4', first.port],
  ]
  for (const [socket, path] of turns) await ask(socket, path)
  for (const [socket, path, port] of turns) {
    assert.deepEqual(seen.get(path), { client: ['127.0.0.1', socket.localPort], server: ['127.0.0.1', port] }, path)
  }
})

test('an absolute-form request-target yields its path and query, and the authority is dropped', async (t) => {
  const seen: Array<[string, string, string]> = []
  const { port } = await serveBridge(t, async (s, receive, send) => {
    const { rawPath, path, queryString } = s as HttpScope
    seen.push([rawPath, path, queryString])
    await ok(s, receive, send)
  })
  await rawExchange(t, port, 'GET http://example.test/a/./b?q=1 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n')
  await rawExchange(t, port, 'GET http://example.test HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n')
  assert.deepEqual(seen, [
    ['/a/./b', '/a/b', 'q=1'],
    ['/', '/', ''],
  ])
})

test('each request gets a shallow copy of the state object as it is at request time', async (t) => {
  const shared = { hits: [] as number[] }
  const state: Record<string, unknown> = { shared }
  const { origin } = await serveBridge(
    t,
    async (scope, _receive, send) => {
      const s = (scope as HttpScope).state
      const before = String(s.name)
      s.name = 'replaced by a request'
      ;(s.shared as typeof shared).hits.push(1)
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: before })
    },
    { state },
  )
  state.name = 'set after the handler was made'
  const first = await request(origin)
  const second = await request(origin)
  assert.equal(await first.body.text(), 'set after the handler was made')
  assert.equal(await second.body.text(), 'set after the handler was made')
  assert.equal(state.name, 'set after the handler was made')
  assert.deepEqual(shared.hits, [1, 1], 'objects inside state are shared, not copied')
})

test('an https server reports scheme https', async (t) => {
  const { execFileSync } = await import('node:child_process')
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { createServer } = await import('node:https')
  const dir = scratchDir('tsgi-tls-')
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
  } catch {
    t.skip('openssl is not available to make a certificate')
    return
  }
  let scheme = ''
  const server = createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    toNodeHandler(async (scope, receive, send) => {
      scheme = (scope as HttpScope).scheme
      await ok(scope, receive, send)
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const { port } = server.address() as { port: number }
  const client = new Client(`https://127.0.0.1:${port}`, { connect: { rejectUnauthorized: false } })
  t.after(() => client.close())
  const response = await client.request({ path: '/', method: 'GET' })
  assert.equal(await response.body.text(), 'ok')
  assert.equal(scheme, 'https')
})

test('after the body, receive() waits until the response is over, then gives http.disconnect', async (t) => {
  const order: string[] = []
  const done = signal()
  const { origin } = await serveBridge(t, async (_scope, receive, send) => {
    const body = await receive()
    order.push(`${body.type}:${body.type === 'http.request' ? body.moreBody : ''}`)
    const after = receive().then((m) => order.push(m.type))
    await delay(20)
    order.push('sending')
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'done' })
    await after
    done.resolve()
  })
  assert.equal(await (await request(origin)).body.text(), 'done')
  await done.promise
  assert.deepEqual(order, ['http.request:false', 'sending', 'http.disconnect'])
})

test('a client that leaves while a response streams: the waiting receive() gives http.disconnect and later sends are no-ops', async (t) => {
  const outcome = signal<{ message: ReceiveMessage; sendAfter: string }>()
  const { port, logs } = await serveBridge(t, async (_scope, receive, send) => {
    await receive()
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'tick', moreBody: true })
    const message = await receive()
    const sendAfter = await send({ type: 'http.response.body', body: 'tock', moreBody: true }).then(
      () => 'resolved',
      (e: Error) => e.message,
    )
    await send({ type: 'http.response.body', body: '' })
    outcome.resolve({ message, sendAfter })
  })
  const socket = await rawSocket(t, port)
  const firstChunk = receivedUntil(socket, /tick/)
  socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n')
  await firstChunk
  socket.destroy()
  const { message, sendAfter } = await outcome.promise
  assert.deepEqual(message, { type: 'http.disconnect' })
  assert.equal(sendAfter, 'resolved')
  assert.deepEqual(logs, [])
})

test('send() rejects messages out of order with a ProtocolError naming the message and the phase', async (t) => {
  const errors: string[] = []
  const attempt = async (send: (m: SendMessage) => Promise<void>, message: unknown) => {
    try {
      await send(message as SendMessage)
      errors.push('accepted')
    } catch (error) {
      assert.ok(error instanceof ProtocolError)
      errors.push(`${error.messageType}@${error.state}`)
    }
  }
  const { origin } = await serveBridge(t, async (_scope, _receive, send) => {
    await attempt(send, { type: 'http.response.body', body: 'too early' })
    await attempt(send, { type: 'lifespan.startup.complete' })
    await attempt(send, { type: 'http.response.start', status: 103 })
    await send({ type: 'http.response.start', status: 200 })
    await attempt(send, { type: 'http.response.start', status: 200 })
    await attempt(send, { type: 'http.response.body', body: 42 })
    await send({ type: 'http.response.body', body: 'fine' })
    await attempt(send, { type: 'http.response.body', body: 'too late' })
  })
  assert.equal(await (await request(origin)).body.text(), 'fine')
  assert.deepEqual(errors, [
    'http.response.body@idle',
    'lifespan.startup.complete@idle',
    'http.response.start@idle',
    'http.response.start@started',
    'http.response.body@started',
    'http.response.body@done',
  ])
})

test('an app that returns after response.start but before the final body gets its response ended', async (t) => {
  const { port, logs } = await serveBridge(t, async (scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 202, headers: [['x-kind', 'partial']] })
    if ((scope as HttpScope).path === '/streamed') await send({ type: 'http.response.body', body: 'so far', moreBody: true })
  })
  const headOnly = await rawExchange(t, port, 'GET /held HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.match(headOnly, /^HTTP\/1\.1 202 Accepted\r\n/)
  assert.match(headOnly, /content-length: 0\r\n/i)
  const streamed = await rawExchange(t, port, 'GET /streamed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.match(streamed, /so far\r\n0\r\n\r\n$/, 'the chunked body is closed properly')
  assert.equal(logs.filter(([level]) => level === 'warn').length, 2)
})

test('a header Node refuses fails that send(), and the app still gets a clean 500', async (t) => {
  const { origin, logs } = await serveBridge(t, async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['x-bad', 'line\r\nbreak']] })
    await send({ type: 'http.response.body', body: 'never' })
  })
  const response = await request(origin)
  assert.equal(response.statusCode, 500)
  assert.equal(await response.body.text(), 'Internal Server Error')
  assert.equal(logs.length, 1)
})

test('a streamed response without content-length is chunked; an app-given content-length is kept as is', async (t) => {
  const { port } = await serveBridge(t, async (scope, _receive, send) => {
    const fixed = (scope as HttpScope).path === '/fixed'
    await send({ type: 'http.response.start', status: 200, headers: fixed ? [['Content-Length', '6']] : [] })
    await send({ type: 'http.response.body', body: new TextEncoder().encode('abc'), moreBody: true })
    // A later turn of the event loop: from Node 24 on, chunks written in the tick a response
    // first writes leave joined as one chunk (Node corks the response for that tick), which is
    // the same body on the wire; apart, each send is its own chunk on every line.
    await new Promise((resolve) => setImmediate(resolve))
    await send({ type: 'http.response.body', body: 'def' })
  })
  const chunked = await rawExchange(t, port, 'GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.match(chunked, /transfer-encoding: chunked/i)
  assert.match(chunked, /\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n$/)
  const fixed = await rawExchange(t, port, 'GET /fixed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.deepEqual(fixed.match(/content-length: \d+/gi), ['Content-Length: 6'])
  assert.ok(fixed.endsWith('\r\n\r\nabcdef'))
})

test('an empty chunk before any data sends the headers at once', async (t) => {
  const release = signal()
  const { port } = await serveBridge(t, async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    await send({ type: 'http.response.body', body: '', moreBody: true })
    await release.promise
    await send({ type: 'http.response.body', body: 'data: 1\n\n' })
  })
  const socket = await rawSocket(t, port)
  const head = receivedUntil(socket, /\r\n\r\n/)
  socket.write('GET /sse HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(await head, /^HTTP\/1\.1 200 OK[\s\S]*text\/event-stream/)
  release.resolve()
})

test('bodies the app leaves unread, wholly or in part, do not break keep-alive', async (t) => {
  const ports = new Set<number>()
  const { origin } = await serveBridge(t, async (scope, receive, send) => {
    ports.add((scope as HttpScope).client![1])
    if ((scope as HttpScope).path === '/partly') await receive()
    await ok(scope, receive, send)
  })
  const client = new Client(origin, { pipelining: 1 })
  t.after(() => client.close())
  const big = 'b'.repeat(200_000)
  for (const path of ['/unread', '/partly', '/unread', '/partly']) {
    const response = await client.request({ path, method: 'POST', body: big })
    assert.equal(await response.body.text(), 'ok', path)
  }
  assert.equal(ports.size, 1, 'all four requests used one connection')
})

test('a request with content-length 0 is one empty message; a pipelined client gets its responses in order', async (t) => {
  const seen: string[] = []
  const { port } = await serveBridge(t, async (scope, receive, send) => {
    // Record every message of the body: bytes, and '.' for the last one.
    let record = ''
    for (;;) {
      const message = await receive()
      if (message.type !== 'http.request') throw new Error('unexpected disconnect')
      record += Buffer.from(message.body).toString() + (message.moreBody ? '|' : '.')
      if (!message.moreBody) break
    }
    seen.push(record)
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: (scope as HttpScope).path })
  })
  const raw = await rawExchange(
    t,
    port,
    'POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' +
      'POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
      'GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  )
  assert.deepEqual(
    [...raw.matchAll(/\r\n\r\n(\/(?:one|two|three))/g)].map((m) => m[1]),
    ['/one', '/two', '/three'],
  )
  assert.equal(seen[0], '.', 'content-length 0 is one empty final message')
  assert.match(seen[1]!, /^abc(\.|\|\.)$/, 'the body, then at most one empty final message')
  assert.equal(seen[2], '.')
})

test('an error after the final body is logged and the response stands; logger false keeps quiet', async (t) => {
  const late: App = async (scope, receive, send) => {
    await ok(scope, receive, send)
    throw new Error('after the fact')
  }
  const { origin, logs } = await serveBridge(t, late)
  assert.equal(await (await request(origin)).body.text(), 'ok')
  await delay(10)
  assert.equal(logs.length, 1)
  assert.match(String(logs[0]![1]), /GET \/: the app threw/)

  const quiet = await serveBridge(
    t,
    async () => {
      throw new Error('nobody hears this')
    },
    { logger: false },
  )
  assert.equal((await request(quiet.origin)).statusCode, 500)
  assert.deepEqual(quiet.logs, [])
})

test('toNodeHandler() refuses bad arguments with InvalidArgumentError naming the value', () => {
  const app: App = async () => {}
  assert.throws(
    () => toNodeHandler('app' as unknown as App),
    (e: unknown) => e instanceof InvalidArgumentError && /the string 'app'/.test(e.message),
  )
  assert.throws(() => toNodeHandler(app, null as unknown as object), InvalidArgumentError)
  assert.throws(() => toNodeHandler(app, { maxBodyBytes: -1 }), /got -1/)
  assert.throws(() => toNodeHandler(app, { maxBodyBytes: 1.5 }), /got 1\.5/)
  assert.throws(() => toNodeHandler(app, { state: 'x' as unknown as object }), /state must be an object/)
  assert.throws(() => toNodeHandler(app, { logger: {} as never }), /logger must be a Logger or false/)
  assert.equal(typeof toNodeHandler(app, { maxBodyBytes: Infinity, logger: false, state: {} }), 'function')
})

test('an app that gives up on a client who already left is not logged as returning without a response', async (t) => {
  const returned = signal()
  const app: App = async (_scope, receive) => {
    // Wait for the client to go, as a long poll would, then return without answering.
    while ((await receive()).type !== 'http.disconnect') {}
    returned.resolve()
  }
  const running = await serveBridge(t, app)
  const socket = await rawSocket(t, running.port)
  socket.write('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n')
  await delay(30)
  socket.destroy()
  await returned.promise
  await delay(20)
  assert.deepEqual(running.logs, [])
})
