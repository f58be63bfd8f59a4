// The helpers of src/http.ts, through the real node bridge where the bridge matters.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import {
  BodyTooLargeError,
  ClientDisconnectedError,
  InvalidArgumentError,
  LifespanManager,
  ProtocolError,
  httpOnly,
  mount,
  readBody,
  readText,
  router,
  sendJson,
  sendText,
  type Receive,
  type Scope,
} from '../src/index.ts'
import { serveBridge } from './support/bridge.ts'

/** A receive() that hands out `messages` in order. */
function script(...messages: Awaited<ReturnType<Receive>>[]): Receive {
  return async () => messages.shift() ?? { type: 'http.disconnect' }
}
const bytes = (text: string) => new TextEncoder().encode(text)

test('readBody() joins the chunks of a body; readText() decodes them as UTF-8', async () => {
  const body = await readBody(
    script(
      { type: 'http.request', body: bytes('caf'), moreBody: true },
      { type: 'http.request', body: new Uint8Array(0), moreBody: true },
      { type: 'http.request', body: bytes('é!'), moreBody: false },
    ),
  )
  assert.equal(Buffer.from(body).toString(), 'café!')
  assert.equal(await readText(script({ type: 'http.request', body: bytes('one'), moreBody: false })), 'one')
  assert.equal((await readBody(script({ type: 'http.request', body: new Uint8Array(0), moreBody: false }))).byteLength, 0)
})

test('readBody() throws BodyTooLargeError past its limit and ClientDisconnectedError when the client leaves', async () => {
  await assert.rejects(
    readBody(
      script({ type: 'http.request', body: bytes('12345'), moreBody: true }, { type: 'http.request', body: bytes('6'), moreBody: false }),
      { limit: 5 },
    ),
    (e: unknown) => e instanceof BodyTooLargeError && e.limitBytes === 5 && e.code === 'TSGI_ERR_BODY_TOO_LARGE',
  )
  await assert.rejects(
    readBody(script({ type: 'http.request', body: bytes('12'), moreBody: true }, { type: 'http.disconnect' })),
    (e: unknown) => e instanceof ClientDisconnectedError && /after 2 bytes/.test(e.message) && e.code === 'TSGI_ERR_CLIENT_DISCONNECTED',
  )
  await assert.rejects(readBody(script(), { limit: -1 }), InvalidArgumentError)
})

test('on the node bridge, a readBody() limit becomes a 413 and is not logged as an app error', async (t) => {
  const { origin, logs } = await serveBridge(t, async (_scope, receive, send) => {
    const text = await readText(receive, { limit: 10 })
    await sendText(send, 200, text)
  })
  const small = await request(origin, { method: 'POST', body: 'tiny' })
  assert.equal(await small.body.text(), 'tiny')
  const large = await request(origin, { method: 'POST', body: 'far too long for ten bytes' })
  assert.equal(large.statusCode, 413)
  await large.body.text()
  assert.deepEqual(logs, [])
})

test('sendText() and sendJson() answer with a content-type unless the caller gave one', async (t) => {
  const { origin } = await serveBridge(
    t,
    router([
      mount('/text', async (_s, _r, send) => sendText(send, 201, 'héllo', [['x-extra', '1']])),
      mount('/json', async (_s, _r, send) => sendJson(send, 200, { ok: true, n: [1, 2] })),
      mount('/typed', async (_s, _r, send) => sendJson(send, 200, 'x', [['Content-Type', 'application/problem+json']])),
    ]),
  )
  const text = await request(`${origin}/text`)
  assert.equal(text.statusCode, 201)
  assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8')
  assert.equal(text.headers['x-extra'], '1')
  assert.equal(text.headers['content-length'], '6')
  assert.equal(await text.body.text(), 'héllo')
  const json = await request(`${origin}/json`)
  assert.equal(json.headers['content-type'], 'application/json')
  assert.deepEqual(await json.body.json(), { ok: true, n: [1, 2] })
  const typed = await request(`${origin}/typed`)
  assert.equal(typed.headers['content-type'], 'application/problem+json')
  assert.equal(await typed.body.text(), '"x"')
  await assert.rejects(
    sendJson(async () => {}, 200, undefined),
    InvalidArgumentError,
  )
})

test('httpOnly() answers HTTP and leaves the lifespan alone, so a router treats it as nothing to do', async () => {
  let touched = false
  const app = httpOnly(async (scope, _receive, send) => sendText(send, 200, scope.path))
  const spy = async (scope: Scope, receive: Receive, send: Parameters<typeof app>[2]) => {
    const wrappedReceive: Receive = () => {
      touched = true
      return receive()
    }
    return app(scope, wrappedReceive, (m) => {
      touched = true
      return send(m)
    })
  }
  const manager = new LifespanManager(router([mount('/h', spy)]))
  await manager.startup()
  await manager.shutdown()
  assert.equal(touched, false)
  await assert.rejects(
    app({ type: 'websocket' } as unknown as Scope, script(), async () => {}),
    ProtocolError,
  )
  assert.throws(() => httpOnly('x' as never), InvalidArgumentError)
})
