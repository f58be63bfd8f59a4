import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, test } from 'node:test'

import { request } from 'undici'

import { InvalidArgumentError, readBody, serve, type App } from '../src/index.ts'
import { DEFAULT_HTTP_LIMITS } from '../src/serve/http-options.ts'
import { readServeOptions } from '../src/serve/options.ts'
import { sleep } from './support/observe.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }
const sockets: Socket[] = []
after(() => {
  for (const socket of sockets) socket.destroy()
})

const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return
  const body = await readBody(receive)
  await send({ type: 'http.response.start', status: 200 })
  await send({ type: 'http.response.body', body: `got ${body.byteLength}` })
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
    sockets.push(socket)
  })
}

/** Everything the server writes until it closes the socket, and when it closed it. */
function untilClosed(socket: Socket): Promise<{ text: string; at: number }> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (chunk) => (text += chunk))
    socket.on('error', () => undefined)
    socket.once('close', () => resolve({ text, at: performance.now() }))
  })
}

test('bad HTTP timeouts and limits are refused when serve() is called, naming the option and the value', async () => {
  const cases: Array<[object, RegExp]> = [
    [{ headersTimeoutMs: 0 }, /headersTimeoutMs must be a positive, finite number of milliseconds, got 0/],
    [{ requestTimeoutMs: Infinity }, /requestTimeoutMs must be a positive, finite number of milliseconds, got Infinity/],
    [{ keepAliveTimeoutMs: 'long' }, /keepAliveTimeoutMs must be a positive, finite number of milliseconds, got long/],
    [{ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 }, /headersTimeoutMs \(5000\) must not exceed requestTimeoutMs \(1000\)/],
    [{ maxConnections: 0 }, /maxConnections must be a positive integer or Infinity, got 0/],
    [{ maxConnections: 2.5 }, /maxConnections must be a positive integer or Infinity, got 2.5/],
    [{ shutdownDelayMs: -5 }, /shutdownDelayMs must be a finite number of milliseconds, 0 or more, got -5/],
  ]
  for (const [options, message] of cases) {
    await assert.rejects(serve(echo, { ...quiet, ...options }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error))
      assert.match(error.message, message)
      return true
    })
  }
  assert.throws(
    () => readServeOptions({}, { TSGI_SHUTDOWN_DELAY_MS: 'soon' }),
    /env TSGI_SHUTDOWN_DELAY_MS \('soon'\) must be a finite number/,
  )
  assert.equal(readServeOptions({}, { TSGI_SHUTDOWN_DELAY_MS: '5000' }).shutdownDelayMs, 5_000)
  assert.equal(readServeOptions({ shutdownDelayMs: 0 }, { TSGI_SHUTDOWN_DELAY_MS: '5000' }).shutdownDelayMs, 0, 'the option wins over env')
})

test('the defaults let no slow client hold a socket past 30 s', () => {
  const { http } = readServeOptions({}, {})
  assert.deepEqual(
    { headersTimeoutMs: http.headersTimeoutMs, requestTimeoutMs: http.requestTimeoutMs, keepAliveTimeoutMs: http.keepAliveTimeoutMs },
    { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
  )
  // node:http notices an expired request only on its check timer: the worst case is the sum.
  assert.ok(http.requestTimeoutMs + http.checkEveryMs <= 31_000)
  assert.equal(http.maxConnections, DEFAULT_HTTP_LIMITS.maxConnections)
})

test('a slow-drip body is cut at requestTimeoutMs with 408 while other clients are served', async () => {
  const server = await serve(echo, { ...quiet, headersTimeoutMs: 300, requestTimeoutMs: 600 })
  const port = Number(new URL(server.url).port)
  const drip = await open(port)
  const closed = untilClosed(drip)
  const started = performance.now()
  drip.write('POST /upload HTTP/1.1\r\nHost: drip\r\nContent-Length: 1000\r\n\r\n')
  const dripping = setInterval(() => drip.writable && drip.write('x'), 50)
  try {
    // Others are answered while the drip goes on.
    for (let i = 0; i < 5; i++) {
      const response = await request(server.url, { method: 'POST', body: 'hello' })
      assert.equal(await response.body.text(), 'got 5')
      await sleep(40)
    }
    const { text, at } = await Promise.race([closed, sleep(5_000).then(() => ({ text: 'still open', at: 0 }))])
    const elapsed = at - started
    assert.match(text, /^HTTP\/1\.1 408 /)
    assert.ok(elapsed >= 550 && elapsed < 2_000, `the drip was cut after ${elapsed.toFixed(0)} ms`)
  } finally {
    clearInterval(dripping)
    await server.close()
  }
})

test('a slowloris head is cut at headersTimeoutMs', async () => {
  const server = await serve(echo, { ...quiet, headersTimeoutMs: 300, requestTimeoutMs: 5_000 })
  const loris = await open(Number(new URL(server.url).port))
  const closed = untilClosed(loris)
  const started = performance.now()
  loris.write('GET / HTTP/1.1\r\nHost: loris\r\n')
  const dripping = setInterval(() => loris.writable && loris.write('X-A: b\r\n'), 50)
  try {
    const { at } = await Promise.race([closed, sleep(5_000).then(() => ({ at: 0 }))])
    const elapsed = at - started
    assert.ok(elapsed >= 250 && elapsed < 1_500, `the head was cut after ${elapsed.toFixed(0)} ms`)
  } finally {
    clearInterval(dripping)
    await server.close()
  }
})

test('connections past maxConnections are refused while the others are served', async () => {
  const server = await serve(echo, { ...quiet, maxConnections: 2 })
  const port = Number(new URL(server.url).port)
  await open(port)
  await open(port)
  await sleep(30)
  const third = await open(port)
  const { text } = await Promise.race([untilClosed(third), sleep(3_000).then(() => ({ text: 'still open' }))])
  assert.equal(text, '', 'the third connection is closed unanswered')
  for (const socket of sockets.splice(0)) socket.destroy()
  await sleep(30)
  const response = await request(server.url, { method: 'POST', body: 'ok' })
  assert.equal(await response.body.text(), 'got 2')
  await server.close()
})
