// The bridge's `draining` option: how serve() (or any host) makes every response head say
// `Connection: close` once it starts draining, without a ServerResponse subclass.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError, type App, type HttpScope } from '../src/index.ts'
import { toNodeHandler } from '../src/node/handler.ts'
import { rawSocket, receivedUntil, serveBridge } from './support/bridge.ts'

test('once the draining signal is aborted, responses say Connection: close and the socket closes after them', async (t) => {
  const drain = new AbortController()
  const app: App = async (scope, _receive, send) => {
    if ((scope as HttpScope).path === '/fail') throw new Error('answered by the bridge')
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'ok' })
  }
  const { port } = await serveBridge(t, app, { draining: drain.signal, logger: false })

  const socket = await rawSocket(t, port)
  const first = receivedUntil(socket, /\r\n\r\nok/)
  socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(await first, /connection: keep-alive/i)

  drain.abort()
  const closed = new Promise((resolve) => socket.once('close', resolve))
  const second = receivedUntil(socket, /\r\n\r\nok/)
  socket.write('GET /two HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(await second, /connection: close/i)
  await closed

  const other = await rawSocket(t, port)
  const answer = receivedUntil(other, /Internal Server Error/)
  other.write('GET /fail HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.match(await answer, /^HTTP\/1\.1 500[\s\S]*connection: close/i, "the bridge's own answers close too")
})

test('toNodeHandler() refuses a draining option that is not an AbortSignal', () => {
  const app: App = async () => {}
  assert.throws(() => toNodeHandler(app, { draining: { aborted: true } as never }), InvalidArgumentError)
  assert.throws(() => toNodeHandler(app, { draining: null as never }), /draining must be an AbortSignal, got null/)
})
