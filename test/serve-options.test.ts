import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'

import { InvalidArgumentError, type App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { readServeOptions } from '../src/serve/options.ts'

const ok: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  await send({ type: 'http.response.start', status: 204 })
  await send({ type: 'http.response.body' })
}

test('bad serve() options are refused before anything starts, naming the option and the value', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ onStartup: 'warm' }, /onStartup must be an array of functions, got 'warm'/],
    [{ onShutdown: [() => {}, 42] }, /onShutdown\[1\] must be a function, got 42/],
    [{ lifespan: [null] }, /lifespan\[0\] must be a function, got null/],
    [{ port: 70_000 }, /port must be an integer from 0 to 65535, got 70000/],
    [{ port: 1.5 }, /port must be an integer/],
    [{ host: '' }, /host must be a non-empty string/],
    [{ signals: ['SIGNOPE'] }, /signals holds 'SIGNOPE', which is not a signal name/],
    [{ signals: 'SIGTERM' }, /signals must be an array of signal names or false/],
    [{ logger: { info() {} } }, /logger must have debug, info, warn and error methods/],
    [{ health: { live: 'livez' } }, /health.live must be a path starting with '\/', got 'livez'/],
    [{ health: 'yes' }, /health must be a boolean or \{ live, ready, port \}/],
    [{ startupTimeoutMs: 0 }, /startupTimeoutMs must be a positive number/],
    [{ drainTimeoutMs: 'soon' }, /drainTimeoutMs must be a positive number/],
    [{ maxBodyBytes: -1 }, /maxBodyBytes must be a non-negative number/],
    [null, /options must be an object, got null/],
  ]
  for (const [options, message] of cases) {
    await assert.rejects(serve(ok, options as never), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error))
      assert.match(error.message, message)
      return true
    })
  }
  await assert.rejects(serve('app' as never), { name: 'InvalidArgumentError', message: /serve\(\) needs an app function, got string/ })
})

test('port and host default to env PORT and HOST, then 3000 and 127.0.0.1; a bad env PORT is named', () => {
  assert.deepEqual([readServeOptions({}, {}).port, readServeOptions({}, {}).host], [3000, '127.0.0.1'])
  assert.deepEqual(
    [readServeOptions({}, { PORT: '8080', HOST: '0.0.0.0' }).port, readServeOptions({}, { HOST: '0.0.0.0' }).host],
    [8080, '0.0.0.0'],
  )
  assert.equal(readServeOptions({ port: 0 }, { PORT: '8080' }).port, 0)
  assert.throws(() => readServeOptions({}, { PORT: 'eighty' }), /env PORT \('eighty'\) must be an integer from 0 to 65535/)
  const config = readServeOptions({ lifespan: async function* one() {} }, {})
  assert.equal(config.lifespan.length, 1, 'a single lifespan function is taken as a list of one')
  assert.deepEqual(config.signals, ['SIGINT', 'SIGTERM'])
  assert.deepEqual([config.startupTimeoutMs, config.shutdownTimeoutMs, config.drainTimeoutMs], [60_000, 5_000, 10_000])
})

test('signal listeners are installed while the server lives and removed when it stops, never leaked', async () => {
  const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }
  const server = await serve(ok, { port: 0, logger: false })
  assert.equal(process.listenerCount('SIGTERM'), before.SIGTERM + 1)
  assert.equal(process.listenerCount('SIGINT'), before.SIGINT + 1)
  await server.close()
  assert.deepEqual({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }, before)

  await assert.rejects(serve(ok, { port: 0, logger: false, onStartup: [() => Promise.reject(new Error('no'))] }))
  assert.deepEqual(
    { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') },
    before,
    'removed after a failed startup too',
  )
})

test('signals: false never touches the process', async () => {
  const before = process.listenerCount('SIGTERM')
  const server = await serve(ok, { port: 0, logger: false, signals: false })
  assert.equal(process.listenerCount('SIGTERM'), before)
  await server.close()
})

test('an IPv6 host is bracketed in the url', async (t) => {
  const server = await serve(ok, { port: 0, host: '::1', logger: false, signals: false }).catch((error: NodeJS.ErrnoException) => error)
  if (server instanceof Error) {
    t.skip(`no IPv6 loopback here: ${(server.cause as NodeJS.ErrnoException | undefined)?.code ?? server.message}`)
    return
  }
  assert.match(server.url, /^http:\/\/\[::1\]:\d+$/)
  await server.close()
})

test('Expect: 100-continue gets 100 for a body within the limit, and a 413 without 100 for one over it', async () => {
  const echo: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    const message = await receive()
    const size = message.type === 'http.request' ? message.body.byteLength : -1
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: `got ${size}` })
  }
  const server = await serve(echo, { port: 0, logger: false, signals: false, maxBodyBytes: 10 })
  const port = Number(new URL(server.url).port)
  const exchange = (length: number) =>
    new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      let text = ''
      socket.on('data', (chunk) => {
        text += chunk
        // Send the body only once the server said to go on, as a real client does.
        if (text.startsWith('HTTP/1.1 100') && !text.includes('got')) socket.write('x'.repeat(length))
        if (/got \d+$|Payload Too Large$/.test(text)) {
          socket.destroy()
          resolve(text)
        }
      })
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`)
    })
  const small = await exchange(5)
  assert.match(small, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/)
  assert.match(small, /got 5$/)
  const large = await exchange(50)
  assert.match(large, /^HTTP\/1\.1 413 /)
  assert.doesNotMatch(large, /100 Continue/)
  await server.close()
})
