// The fetch bridge in process: real Request/Response objects and real web streams on both
// sides, the tsgi side spoken message by message. The socket tests live in fetch-socket.test.ts.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LifespanManager } from '../src/index.ts'
import { fromFetch, respondWithFetch, toFetchHandler } from '../src/fetch/app.ts'
import type { App, HttpScope, ReceiveMessage, SendMessage } from '../src/protocol/types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function httpScope(overrides: Partial<HttpScope> = {}): HttpScope {
  return {
    type: 'http',
    tsgi: { version: '1.0' },
    httpVersion: '1.1',
    method: 'GET',
    scheme: 'http',
    path: '/',
    rawPath: '/',
    queryString: '',
    rootPath: '',
    headers: [['host', 'example.test:8080']],
    client: ['127.0.0.1', 5000],
    server: ['127.0.0.1', 8080],
    state: {},
    ...overrides,
  }
}

/** A receive() fed by the test, one message at a time, and a log of what the app sent. */
function channel() {
  const inbox: ReceiveMessage[] = []
  const waiting: Array<(m: ReceiveMessage) => void> = []
  const sent: SendMessage[] = []
  let receives = 0
  return {
    sent,
    get receives() {
      return receives
    },
    push(message: ReceiveMessage) {
      const waiter = waiting.shift()
      if (waiter) waiter(message)
      else inbox.push(message)
    },
    receive: (): Promise<ReceiveMessage> => {
      receives++
      const next = inbox.shift()
      return next ? Promise.resolve(next) : new Promise((resolve) => waiting.push(resolve))
    },
    send: async (message: SendMessage) => {
      sent.push(message)
    },
    bodyText() {
      return this.sent
        .filter((m): m is Extract<SendMessage, { type: 'http.response.body' }> => m.type === 'http.response.body')
        .map((m) => (typeof m.body === 'string' ? m.body : decoder.decode(m.body ?? new Uint8Array())))
        .join('')
    },
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

test('fromFetch builds the Request URL from scheme, Host, rootPath, path and query string', async () => {
  let seen: Request | undefined
  const app = fromFetch(async (request) => {
    seen = request
    return new Response('ok')
  })
  const io = channel()
  const scope = httpScope({ scheme: 'https', rootPath: '/api', path: '/a b/c', rawPath: '/api/a%20b/c', queryString: 'x=1&y=2' })
  await app(scope, io.receive, io.send)
  assert.equal(seen?.url, 'https://example.test:8080/api/a%20b/c?x=1&y=2')
  assert.equal(seen?.method, 'GET')
  assert.equal(seen?.headers.get('host'), 'example.test:8080')
  assert.equal(io.bodyText(), 'ok')
})

test('fromFetch falls back to the server address when the request has no Host header', async () => {
  let url = ''
  const app = fromFetch((request) => {
    url = request.url
    return new Response(null, { status: 204 })
  })
  const io = channel()
  await app(httpScope({ headers: [], server: ['::1', 9000], path: '/q?#', rawPath: '/q%3F%23' }), io.receive, io.send)
  assert.equal(url, 'http://[::1]:9000/q%3F%23')
  assert.deepEqual(io.sent[0], { type: 'http.response.start', status: 204, headers: [] })
})

test('fromFetch answers 400 to a Host header that would rewrite the URL, without calling the handler', async () => {
  let called = false
  const app = fromFetch(() => {
    called = true
    return new Response('no')
  })
  const io = channel()
  await app(httpScope({ headers: [['host', 'evil.test/@x']] }), io.receive, io.send)
  assert.equal(called, false)
  assert.equal((io.sent[0] as { status: number }).status, 400)
})

test('fromFetch pulls the request body from receive() only as the handler reads it', async () => {
  const gotFirst = deferred()
  const readMore = deferred()
  const app = fromFetch(async (request) => {
    const reader = request.body!.getReader()
    const first = await reader.read()
    gotFirst.resolve()
    await readMore.promise
    const parts = [decoder.decode(first.value)]
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(decoder.decode(value))
    }
    return new Response(parts.join('|'))
  })
  const io = channel()
  const running = app(httpScope({ method: 'POST' }), io.receive, io.send)
  io.push({ type: 'http.request', body: encoder.encode('one'), moreBody: true })
  await gotFirst.promise
  await sleep(10)
  // The first chunk was read and nothing more was asked for: no read-ahead.
  assert.equal(io.receives, 1)
  io.push({ type: 'http.request', body: encoder.encode('two'), moreBody: true })
  io.push({ type: 'http.request', body: encoder.encode('three'), moreBody: false })
  readMore.resolve()
  await running
  assert.equal(io.bodyText(), 'one|two|three')
})

test('fromFetch sends each chunk as it is produced and reads at most one chunk ahead of a parked send()', async () => {
  let pulls = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++
        if (pulls <= 10) controller.enqueue(encoder.encode(`data: ${pulls}\n\n`))
        else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  const app = fromFetch(() => new Response(stream, { headers: { 'content-type': 'text/event-stream' } }))
  const sent: SendMessage[] = []
  const firstSent = deferred()
  const sendGate = deferred()
  const io = channel()
  const running = app(httpScope(), io.receive, async (message) => {
    sent.push(message)
    if (message.type === 'http.response.body' && sent.length === 2) {
      firstSent.resolve()
      await sendGate.promise
    }
  })
  await firstSent.promise
  assert.equal(decoder.decode((sent[1] as { body: Uint8Array }).body), 'data: 1\n\n')
  await sleep(10)
  // send() of chunk 1 has not resolved: the stream was asked for one more chunk, no further.
  assert.ok(pulls <= 2, `the bridge read ${pulls} chunks while send() was parked`)
  sendGate.resolve()
  await running
  const bodies = sent.filter((m) => m.type === 'http.response.body') as Array<{ body: Uint8Array; moreBody?: boolean }>
  assert.equal(bodies.map((m) => decoder.decode(m.body)).join(''), Array.from({ length: 10 }, (_, i) => `data: ${i + 1}\n\n`).join(''))
  assert.equal(bodies.at(-1)?.moreBody, false)
})

test('fromFetch gets the head out at once for a stream with nothing to say yet', async () => {
  const first = deferred()
  const app = fromFetch(
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            await first.promise
            controller.enqueue(encoder.encode('late'))
            controller.close()
          },
        }),
      ),
  )
  const io = channel()
  const running = app(httpScope(), io.receive, io.send)
  await sleep(20)
  // Start, then an empty chunk that asks the server to write the head now.
  assert.deepEqual(
    io.sent.map((m) => m.type === 'http.response.body' && [(m.body as Uint8Array).byteLength, m.moreBody]),
    [false, [0, true]],
  )
  first.resolve()
  await running
  assert.equal(io.bodyText(), 'late')
  assert.equal((io.sent.at(-1) as { moreBody?: boolean }).moreBody, false)
})

test('fromFetch aborts the Request signal and stops reading the response when the client disconnects', async () => {
  let signal: AbortSignal | undefined
  let cancelled = false
  const app = fromFetch((request) => {
    signal = request.signal
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(': open\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  })
  const io = channel()
  const running = app(httpScope(), io.receive, io.send)
  await sleep(10)
  assert.equal(signal?.aborted, false)
  io.push({ type: 'http.request', body: new Uint8Array(), moreBody: false })
  io.push({ type: 'http.disconnect' })
  await running
  assert.equal(signal?.aborted, true)
  assert.equal(cancelled, true)
  assert.equal(io.bodyText(), ': open\n\n')
})

test('fromFetch leaves the Request signal alone when the exchange ends after a complete answer', async () => {
  let signal: AbortSignal | undefined
  const app = fromFetch((request) => {
    signal = request.signal
    return new Response('done')
  })
  const io = channel()
  await app(httpScope(), io.receive, io.send)
  // A server reports the end of a finished exchange as http.disconnect too.
  io.push({ type: 'http.request', body: new Uint8Array(), moreBody: false })
  io.push({ type: 'http.disconnect' })
  await sleep(10)
  assert.equal(signal?.aborted, false)
})

test('fromFetch sends a body of declared length as one final message', async () => {
  const app = fromFetch(() => new Response('{"ok":true}', { headers: { 'content-type': 'application/json', 'content-length': '11' } }))
  const io = channel()
  await app(httpScope(), io.receive, io.send)
  assert.equal(io.sent.length, 2)
  assert.deepEqual(io.sent[1], { type: 'http.response.body', body: encoder.encode('{"ok":true}'), moreBody: false })
})

test('fromFetch keeps repeated set-cookie headers apart', async () => {
  const app = fromFetch(() => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1')
    headers.append('set-cookie', 'b=2')
    return new Response(null, { status: 204, headers })
  })
  const io = channel()
  await app(httpScope(), io.receive, io.send)
  assert.deepEqual((io.sent[0] as { headers: unknown }).headers, [
    ['set-cookie', 'a=1'],
    ['set-cookie', 'b=2'],
  ])
})

test('fromFetch lets a handler error propagate to the server, and rejects a non-Response result by name', async () => {
  const io = channel()
  await assert.rejects(fromFetch(() => Promise.reject(new Error('boom')))(httpScope(), io.receive, io.send), /boom/)
  await assert.rejects(
    fromFetch(() => ({ status: 200 }) as unknown as Response)(httpScope(), io.receive, io.send),
    /must resolve to a Response, got object/,
  )
  assert.throws(() => fromFetch(null as never), { code: 'TSGI_ERR_INVALID_ARGUMENT' })
})

test('fromFetch has nothing to do on a lifespan scope, so the lifespan completes at once', async () => {
  const manager = new LifespanManager(fromFetch(() => new Response('x')))
  await manager.startup()
  assert.equal(manager.supported, true)
  await manager.shutdown()
})

test('respondWithFetch with bodyConsumed hands the handler no body and watches for the disconnect at once', async () => {
  let signal: AbortSignal | undefined
  let body: ReadableStream | null = new ReadableStream()
  const io = channel()
  const running = respondWithFetch(
    httpScope({ method: 'POST' }),
    io.receive,
    io.send,
    (request) => {
      signal = request.signal
      body = request.body
      return new Response(new ReadableStream({ pull: () => new Promise(() => {}) }))
    },
    { bodyConsumed: true },
  )
  io.push({ type: 'http.disconnect' })
  await running
  assert.equal(body, null)
  assert.equal(signal?.aborted, true)
})

test('toFetchHandler resolves the Response at the first chunk and streams the rest as the app sends it', async () => {
  const next = deferred()
  const finished = deferred()
  const app: App = async (scope, _receive, send) => {
    assert.equal(scope.type, 'http')
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    await send({ type: 'http.response.body', body: 'data: 1\n\n', moreBody: true })
    await next.promise
    await send({ type: 'http.response.body', body: encoder.encode('data: 2\n\n'), moreBody: true })
    await send({ type: 'http.response.body', moreBody: false })
    finished.resolve()
  }
  const response = await toFetchHandler(app)(new Request('http://localhost/events'))
  assert.equal(response.headers.get('content-type'), 'text/event-stream')
  const reader = response.body!.getReader()
  assert.equal(decoder.decode((await reader.read()).value), 'data: 1\n\n')
  next.resolve()
  assert.equal(decoder.decode((await reader.read()).value), 'data: 2\n\n')
  assert.equal((await reader.read()).done, true)
  await finished.promise
})

test('toFetchHandler holds send() until the reader has room (back-pressure)', async () => {
  let sentChunks = 0
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 })
    for (let i = 0; i < 10; i++) {
      await send({ type: 'http.response.body', body: `chunk ${i};`, moreBody: true })
      sentChunks++
    }
    await send({ type: 'http.response.body', moreBody: false })
  }
  const response = await toFetchHandler(app)(new Request('http://localhost/'))
  await sleep(20)
  // Nothing is read: the app is parked after filling the one-chunk read-ahead.
  assert.ok(sentChunks <= 2, `app ran ahead of the reader: ${sentChunks} chunks sent`)
  assert.equal((await response.text()).split(';').length, 11)
  assert.equal(sentChunks, 10)
})

test('toFetchHandler feeds the request body to receive() as it arrives', async () => {
  let push!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      push = c
    },
  })
  const received: string[] = []
  const gotFirst = deferred()
  const app: App = async (scope, receive, send) => {
    assert.equal(scope.type === 'http' && scope.method, 'POST')
    for (;;) {
      const message = await receive()
      assert.equal(message.type, 'http.request')
      if (message.type !== 'http.request') return
      if (message.body.byteLength > 0) received.push(decoder.decode(message.body))
      if (received.length === 1) gotFirst.resolve()
      if (!message.moreBody) break
    }
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: received.join('+') })
  }
  const responding = toFetchHandler(app)(new Request('http://localhost/up', { method: 'POST', body, duplex: 'half' } as RequestInit))
  push.enqueue(encoder.encode('a'))
  await gotFirst.promise
  assert.deepEqual(received, ['a'])
  push.enqueue(encoder.encode('b'))
  push.close()
  assert.equal(await (await responding).text(), 'a+b')
})

test('toFetchHandler tells the app about a client that cancels the response or aborts the request', async () => {
  for (const how of ['cancel', 'abort'] as const) {
    const disconnected = deferred()
    const app: App = async (_scope, receive, send) => {
      assert.deepEqual(await receive(), { type: 'http.request', body: new Uint8Array(), moreBody: false })
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: 'first', moreBody: true })
      assert.deepEqual(await receive(), { type: 'http.disconnect' })
      disconnected.resolve()
    }
    const controller = new AbortController()
    const response = await toFetchHandler(app)(new Request('http://localhost/', { signal: controller.signal }))
    if (how === 'cancel') await response.body!.cancel()
    else controller.abort()
    await disconnected.promise
  }
})

test('toFetchHandler answers 500 without the error text when the app fails before responding, and cuts a started stream', async () => {
  const early = await toFetchHandler(async () => {
    throw new Error('secret dsn=postgres://u:p@h')
  })(new Request('http://localhost/'))
  assert.equal(early.status, 500)
  assert.equal(await early.text(), 'Internal Server Error')

  const silent = await toFetchHandler(async () => {})(new Request('http://localhost/'))
  assert.equal(silent.status, 500)

  const late = await toFetchHandler(async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'partial', moreBody: true })
    throw new Error('mid-stream failure')
  })(new Request('http://localhost/'))
  await assert.rejects(late.text())
})

test('toFetchHandler builds the scope from the Request and copies the state per request', async () => {
  const state = { shared: 1 }
  let seen: HttpScope | undefined
  const handler = toFetchHandler(
    async (scope, _receive, send) => {
      if (scope.type !== 'http') return
      seen = scope
      scope.state.mutated = true
      await send({ type: 'http.response.start', status: 204 })
      await send({ type: 'http.response.body' })
    },
    { state },
  )
  const response = await handler(new Request('https://api.test/a/%2e%2e/b%20c/?q=1', { headers: { 'x-one': '1' } }))
  assert.equal(response.status, 204)
  assert.equal(seen?.scheme, 'https')
  assert.equal(seen?.path, '/b c/')
  assert.equal(seen?.queryString, 'q=1')
  assert.deepEqual(seen?.headers, [
    ['host', 'api.test'],
    ['x-one', '1'],
  ])
  assert.deepEqual(seen?.server, ['api.test', 443])
  assert.equal(seen?.state.shared, 1)
  assert.equal('mutated' in state, false)
})

test('toFetchHandler answers 400 to a path with a malformed escape, before the app runs', async () => {
  let ran = false
  const response = await toFetchHandler(async () => {
    ran = true
  })(new Request('http://localhost/bad%zzpath'))
  assert.equal(response.status, 400)
  assert.equal(ran, false)
})

test('toFetchHandler refuses a body before start and a second start, by message type', async () => {
  const bodyFirst = await toFetchHandler(async (_s, _r, send) => {
    await send({ type: 'http.response.body', body: 'x' })
  })(new Request('http://localhost/'))
  assert.equal(bodyFirst.status, 500)
  let error: unknown
  await toFetchHandler(async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200 })
    try {
      await send({ type: 'http.response.start', status: 200 })
    } catch (e) {
      error = e
    }
    await send({ type: 'http.response.body', body: 'ok' })
  })(new Request('http://localhost/'))
  assert.equal((error as { code?: string }).code, 'TSGI_ERR_PROTOCOL')
})

test('fromFetch and toFetchHandler compose: a round trip keeps status, headers and a streamed body', async () => {
  const inner = toFetchHandler(
    fromFetch(async (request) => {
      const text = await request.text()
      return new Response(`echo:${text}`, { status: 201, headers: { 'x-echo': 'yes' } })
    }),
  )
  const response = await inner(new Request('http://localhost/echo', { method: 'POST', body: 'hello' }))
  assert.equal(response.status, 201)
  assert.equal(response.headers.get('x-echo'), 'yes')
  assert.equal(await response.text(), 'echo:hello')
})
