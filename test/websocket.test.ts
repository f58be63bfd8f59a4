import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'

import WebSocket from 'ws'

import {
  InvalidArgumentError,
  mount,
  ProtocolError,
  route,
  router,
  WebSocketClosedError,
  withLifespan,
  type App,
  type ReceiveMessage,
  type WebSocketScope,
} from '../src/index.ts'
import { closeWith } from '../src/serve/retire.ts'
import { serve, type Server } from '../src/serve/serve.ts'
import type { ServeOptions } from '../src/serve/options.ts'
import { signal } from './support/bridge.ts'
import { sleep } from './support/observe.ts'
import { closeOf, nextMessage, openWs, refusal, wsUrl } from './support/websocket.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }

async function served(t: TestContext, app: App, options: ServeOptions = {}): Promise<Server> {
  const server = await serve(app, { ...quiet, ...options })
  t.after(() => server.close())
  return server
}

/**
 * Accepts (with the first subprotocol offered and an x-room header), echoes every message, and
 * follows commands sent as text: 'close CODE REASON' closes from the app's side.
 */
function echoApp(seen: { scopes: WebSocketScope[]; received: ReceiveMessage[] }): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    seen.scopes.push(scope)
    seen.received.push(await receive())
    await send({ type: 'websocket.accept', subprotocol: scope.subprotocols[0] ?? null, headers: [['x-room', 'lobby']] })
    for (;;) {
      const message = await receive()
      seen.received.push(message)
      if (message.type === 'websocket.disconnect') return
      if (message.type !== 'websocket.receive') continue
      if (message.text?.startsWith('close ') === true) {
        const [, code, reason] = message.text.split(' ')
        await send({ type: 'websocket.close', code: Number(code), reason })
        continue
      }
      await send(
        message.text !== undefined ? { type: 'websocket.send', text: message.text } : { type: 'websocket.send', bytes: message.bytes },
      )
    }
  }
}

test('W1 W5 W9: a mounted app receives websocket.connect, accepts with a subprotocol and headers, and echoes text and bytes', async (t) => {
  const seen = { scopes: [] as WebSocketScope[], received: [] as ReceiveMessage[] }
  const server = await served(
    t,
    router([
      mount(
        '/chat',
        withLifespan(echoApp(seen), async function* room() {
          yield
        }),
      ),
    ]),
  )
  const headers = signal<Record<string, unknown>>()
  const client = await new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server.url, '/chat/r%20one?who=ann'), ['v2.chat', 'v1.chat'])
    ws.once('upgrade', (res) => headers.resolve(res.headers))
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
  assert.equal(client.protocol, 'v2.chat')
  assert.equal((await headers.promise)['x-room'], 'lobby')
  client.send('héllo')
  assert.equal(await nextMessage(client), 'héllo')
  client.send(Buffer.from([0, 1, 255]))
  assert.deepEqual(await nextMessage(client), Buffer.from([0, 1, 255]))
  const ended = closeOf(client)
  client.close(4000, 'bye')
  assert.deepEqual(await ended, { code: 4000, reason: 'bye' })

  const scope = seen.scopes[0]!
  assert.equal(scope.type, 'websocket')
  assert.equal(scope.scheme, 'ws')
  assert.equal(scope.path, '/r one')
  assert.equal(scope.rootPath, '/chat')
  assert.equal(scope.rawPath, '/chat/r%20one')
  assert.equal(scope.queryString, 'who=ann')
  assert.deepEqual(scope.subprotocols, ['v2.chat', 'v1.chat'])
  assert.deepEqual(scope.extensions, { 'websocket.http.response': {} })
  assert.equal(scope.client?.[0], '127.0.0.1')
  assert.ok(scope.headers.some(([name, value]) => name === 'sec-websocket-protocol' && value.replace(' ', '') === 'v2.chat,v1.chat'))
  assert.deepEqual(
    seen.received.map((m) => m.type),
    ['websocket.connect', 'websocket.receive', 'websocket.receive', 'websocket.disconnect'],
  )
  assert.deepEqual(seen.received[1], { type: 'websocket.receive', text: 'héllo' })
  const bytes = seen.received[2] as { bytes?: Uint8Array; text?: string }
  assert.deepEqual([...bytes.bytes!], [0, 1, 255])
  assert.equal(bytes.text, undefined)
  // W6: the client's code and reason reach the app.
  assert.deepEqual(seen.received[3], { type: 'websocket.disconnect', code: 4000, reason: 'bye' })
})

test('W7: the app closes with a code and a reason and the client sees both', async (t) => {
  const seen = { scopes: [] as WebSocketScope[], received: [] as ReceiveMessage[] }
  const server = await served(t, echoApp(seen))
  const client = await openWs(wsUrl(server.url, '/'))
  const ended = closeOf(client)
  client.send('close 4321 done-here')
  assert.deepEqual(await ended, { code: 4321, reason: 'done-here' })
})

test('W2: accept refuses a sec-websocket-protocol header and an unoffered subprotocol; the client gets 500', async (t) => {
  const errors: unknown[] = []
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    const asked = scope.queryString
    try {
      await send(
        asked === 'header'
          ? { type: 'websocket.accept', headers: [['Sec-WebSocket-Protocol', 'x']] }
          : { type: 'websocket.accept', subprotocol: 'never-offered' },
      )
    } catch (error) {
      errors.push(error)
      throw error
    }
  }
  const server = await served(t, app)
  assert.equal((await refusal(wsUrl(server.url, '/?header'), ['x'])).status, 500)
  assert.equal((await refusal(wsUrl(server.url, '/?sub'), ['x'])).status, 500)
  assert.equal(errors.length, 2)
  for (const error of errors) assert.ok(error instanceof ProtocolError)
  assert.match((errors[0] as Error).message, /server's to write/)
  assert.match((errors[1] as Error).message, /not one the client offered/)
})

test('W3 W10: websocket.close before accept, an unmatched path and a non-GET route all answer HTTP 403', async (t) => {
  let after: unknown = 'nothing'
  const refuser: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.close', code: 1000 })
    after = await Promise.race([receive(), sleep(100).then(() => 'nothing')])
  }
  const server = await served(t, router([route('GET', '/no', refuser), route('POST', '/post-only', refuser)]))
  const refused = await refusal(wsUrl(server.url, '/no'))
  assert.equal(refused.status, 403)
  assert.equal((await refusal(wsUrl(server.url, '/nowhere'))).status, 403)
  assert.equal((await refusal(wsUrl(server.url, '/post-only'))).status, 403)
  await sleep(150)
  // After its refusal the app learns only that the connection is gone.
  assert.equal((after as { type?: string }).type, 'websocket.disconnect')
})

test('W4: the denial response reaches the client with its status, headers and streamed body', async (t) => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({
      type: 'websocket.http.response.start',
      status: 401,
      headers: [
        ['www-authenticate', 'Bearer'],
        ['x-why', 'no token'],
      ],
    })
    await send({ type: 'websocket.http.response.body', body: 'log in ', moreBody: true })
    await send({ type: 'websocket.http.response.body', body: new TextEncoder().encode('first') })
  }
  const server = await served(t, app)
  const denied = await refusal(wsUrl(server.url, '/'))
  assert.equal(denied.status, 401)
  assert.equal(denied.headers['www-authenticate'], 'Bearer')
  assert.equal(denied.headers['x-why'], 'no token')
  assert.equal(denied.body, 'log in first')
})

test('W8: send() after the client left rejects with WebSocketClosedError, and receive() keeps answering disconnect', async (t) => {
  const outcome = signal<{ error: unknown; again: ReceiveMessage }>()
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    const gone = await receive()
    assert.equal(gone.type, 'websocket.disconnect')
    const error = await send({ type: 'websocket.send', text: 'too late' }).then(
      () => null,
      (e: unknown) => e,
    )
    outcome.resolve({ error, again: await receive() })
  }
  const server = await served(t, app)
  const client = await openWs(wsUrl(server.url, '/'))
  client.close(1000)
  const { error, again } = await outcome.promise
  assert.ok(error instanceof WebSocketClosedError, String(error))
  assert.equal((error as WebSocketClosedError).code, 'TSGI_ERR_WEBSOCKET_CLOSED')
  assert.deepEqual(again, { type: 'websocket.disconnect', code: 1000, reason: '' })
})

test('websocket.send with both or neither payload is a ProtocolError; the client gets 1011', async (t) => {
  const thrown = signal<unknown>()
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    await send({ type: 'websocket.send', text: 'a', bytes: new Uint8Array(1) }).catch((error: unknown) => thrown.resolve(error))
    await send({ type: 'websocket.send' })
  }
  const server = await served(t, app)
  const client = await openWs(wsUrl(server.url, '/'))
  const ended = closeOf(client)
  assert.ok((await thrown.promise) instanceof ProtocolError)
  assert.equal((await ended).code, 1011)
})

test('W11 W5: a message over maxPayloadBytes closes with 1009 and invalid UTF-8 with 1007; neither reaches the app', async (t) => {
  const seen = { scopes: [] as WebSocketScope[], received: [] as ReceiveMessage[] }
  const server = await served(t, echoApp(seen), { websocket: { maxPayloadBytes: 1024 } })
  const big = await openWs(wsUrl(server.url, '/'))
  const bigEnded = closeOf(big)
  big.send('x'.repeat(1025))
  assert.equal((await bigEnded).code, 1009)
  const bad = await openWs(wsUrl(server.url, '/'))
  const badEnded = closeOf(bad)
  bad.send(Buffer.from([0xff, 0xfe]), { binary: false })
  assert.equal((await badEnded).code, 1007)
  await sleep(50)
  assert.ok(!seen.received.some((m) => m.type === 'websocket.receive'))
  assert.deepEqual(
    seen.received.filter((m) => m.type === 'websocket.disconnect').map((m) => (m as { code: number }).code),
    [1009, 1007],
  )
})

test('W12: a client that leaves without a close frame gives the app websocket.disconnect 1006 at once', async (t) => {
  const gone = signal<{ message: ReceiveMessage; at: number }>()
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    gone.resolve({ message: await receive(), at: performance.now() })
  }
  const server = await served(t, app)
  const client = await openWs(wsUrl(server.url, '/'))
  const cutAt = performance.now()
  client.terminate()
  const { message, at } = await gone.promise
  assert.deepEqual(message, { type: 'websocket.disconnect', code: 1006, reason: '' })
  assert.ok(at - cutAt < 100, `the disconnect came after ${Math.round(at - cutAt)} ms`)
})

test('a peer that answers no ping is dropped after two missed pings', async (t) => {
  const gone = signal<ReceiveMessage>()
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    gone.resolve(await receive())
  }
  const server = await served(t, app, { websocket: { pingIntervalMs: 100 } })
  const answering = await openWs(wsUrl(server.url, '/'))
  const silent = await openWs(wsUrl(server.url, '/'), [], { autoPong: false })
  let pings = 0
  silent.on('ping', () => pings++)
  const openedAt = performance.now()
  const ended = closeOf(silent)
  assert.equal((await ended).code, 1006)
  const after = performance.now() - openedAt
  assert.ok(pings >= 2, `only ${pings} pings were sent`)
  assert.ok(after >= 250 && after < 2000, `dropped after ${Math.round(after)} ms`)
  assert.deepEqual(await gone.promise, { type: 'websocket.disconnect', code: 1006, reason: '' })
  // The peer that answers stays.
  assert.equal(answering.readyState, WebSocket.OPEN)
  answering.close()
})

test('W16: a client that stops reading makes send() wait; memory stays flat; everything arrives once it reads again', async (t) => {
  const chunk = new Uint8Array(256 * 1024)
  let sent = 0
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    for (let i = 0; i < 120; i++) {
      await send({ type: 'websocket.send', bytes: chunk })
      sent++
    }
    await send({ type: 'websocket.close', code: 1000 })
  }
  const server = await served(t, app)
  const client = await openWs(wsUrl(server.url, '/'))
  client.pause()
  const before = process.memoryUsage().rss
  await sleep(500)
  const stalledAt = sent
  await sleep(300)
  assert.equal(sent, stalledAt, 'send() went on while the client read nothing')
  // 120 × 256 KiB is 30 MiB; what left the app before it waited is what the kernel buffers take.
  assert.ok(stalledAt < 60, `${stalledAt} messages of 256 KiB were sent to a client that reads nothing`)
  assert.ok(process.memoryUsage().rss - before < 40 * 1024 * 1024, 'memory grew while send() should have waited')
  let received = 0
  client.on('message', () => received++)
  const ended = closeOf(client)
  client.resume()
  assert.equal((await ended).code, 1000)
  assert.equal(received, 120)
})

test('W13 W14: close() gives every open websocket disconnect 1001 and a close frame before the onShutdown hooks and the app shutdown', async (t) => {
  const trace: string[] = []
  const app: App = async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      await receive()
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      trace.push('app.shutdown')
      await send({ type: 'lifespan.shutdown.complete' })
      return
    }
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    const gone = await receive()
    trace.push(`disconnect ${(gone as { code: number }).code}`)
    // The app takes a moment to finish; the hooks wait for it.
    await sleep(50)
    trace.push('app returned')
  }
  const server = await served(t, app, { onShutdown: [() => void trace.push('onShutdown')] })
  const clients = await Promise.all([1, 2, 3].map(() => openWs(wsUrl(server.url, '/'))))
  const ends = clients.map(closeOf)
  await server.close()
  assert.deepEqual(
    (await Promise.all(ends)).map((end) => end.code),
    [1001, 1001, 1001],
  )
  assert.deepEqual(trace.slice(0, 3), ['disconnect 1001', 'disconnect 1001', 'disconnect 1001'])
  assert.deepEqual(trace.slice(-2), ['onShutdown', 'app.shutdown'])
  assert.equal(trace.filter((line) => line === 'app returned').length, 3)
})

test('W15: the delaying phase keeps accepting websockets; the drain refuses new ones', async (t) => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    await receive()
  }
  const server = await served(t, app, { shutdownDelayMs: 300, drainTimeoutMs: 500 })
  const early = await openWs(wsUrl(server.url, '/'))
  const earlyEnd = closeOf(early)
  const closing = server.close()
  await sleep(50)
  assert.equal(server.phase, 'delaying')
  const during = await openWs(wsUrl(server.url, '/'))
  const duringEnd = closeOf(during)
  await sleep(400)
  assert.notEqual(server.phase, 'delaying')
  await assert.rejects(openWs(wsUrl(server.url, '/')))
  await closing
  assert.equal((await earlyEnd).code, 1001)
  assert.equal((await duringEnd).code, 1001)
})

test('the drain cuts websockets whose app never returns once drainTimeoutMs passed', async (t) => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    await new Promise(() => {})
  }
  const server = await served(t, app, { drainTimeoutMs: 300 })
  const client = await openWs(wsUrl(server.url, '/'), [], { closeTimeout: 60_000 } as never)
  // A client that never answers the close frame: only the cut ends it.
  client.on('close', () => undefined)
  const started = performance.now()
  await server.close()
  const took = performance.now() - started
  assert.ok(took >= 280 && took < 1500, `close() took ${Math.round(took)} ms`)
})

test('serve() refuses unknown or bad websocket options with InvalidArgumentError naming them', async () => {
  await assert.rejects(
    serve(() => Promise.resolve(), { ...quiet, websocket: { maxPayloadByte: 10 } as never }),
    (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError)
      assert.equal(error.message, "serve() has no option 'websocket.maxPayloadByte'; did you mean 'websocket.maxPayloadBytes'?")
      return true
    },
  )
  for (const [websocket, pattern] of [
    [{ maxPayloadBytes: 0 }, /websocket\.maxPayloadBytes/],
    [{ pingIntervalMs: -1 }, /websocket\.pingIntervalMs/],
    [{ perMessageDeflate: 'yes' }, /websocket\.perMessageDeflate/],
    ['big', /websocket must be an object/],
  ] as const) {
    await assert.rejects(
      serve(() => Promise.resolve(), { ...quiet, websocket: websocket as never }),
      pattern,
    )
  }
})

test('perMessageDeflate: true negotiates compression with a client that offers it, and messages still round-trip', async (t) => {
  const seen = { scopes: [] as WebSocketScope[], received: [] as ReceiveMessage[] }
  const server = await served(t, echoApp(seen), { websocket: { perMessageDeflate: true } })
  const client = await openWs(wsUrl(server.url, '/'), [], { perMessageDeflate: true })
  assert.match(client.extensions, /permessage-deflate/)
  client.send('z'.repeat(10_000))
  assert.equal(await nextMessage(client), 'z'.repeat(10_000))
  client.close()
})

test('W13: a process retired by a rolling reload closes its websockets with 1012, so clients reconnect to the new worker', async (t) => {
  const codes: number[] = []
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return
    await receive()
    await send({ type: 'websocket.accept' })
    codes.push(((await receive()) as { code: number }).code)
  }
  const server = await served(t, app)
  const client = await openWs(wsUrl(server.url, '/'))
  const ended = closeOf(client)
  // What a cluster worker does when the primary retires it: the listener first, then the drain.
  await closeWith(server, { delayMs: 0, stopAccepting: true })
  assert.equal((await ended).code, 1012)
  assert.deepEqual(codes, [1012])
})
