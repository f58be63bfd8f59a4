// Clients that stall serve(), on real sockets from the attacker's address: one that stops
// reading a response (writeTimeoutMs cuts it), and slow uploads in flight when the drain
// begins (answered 503 with Connection: close at once instead of holding the shutdown).

import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { readBody, type App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'
import { socketFrom, until } from './support/attacker.ts'
import { memoryLogger, sleep } from './support/observe.ts'

const quiet = { signals: false as const, port: 0 }
const chunk = new Uint8Array(64 * 1024)

test('a client that stops reading a stream is cut after writeTimeoutMs; one that keeps reading is not', async () => {
  const ended = new Map<string, number>()
  const started = performance.now()
  // Streams 64 KiB every 5 ms until the client is gone (receive() says so), then notes when.
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    let gone = false
    void (async () => {
      while ((await receive()).type !== 'http.disconnect');
      gone = true
    })()
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/octet-stream']] })
    while (!gone) {
      await send({ type: 'http.response.body', body: chunk, moreBody: true })
      await sleep(5)
    }
    ended.set(scope.path, performance.now() - started)
  }
  const logger = memoryLogger()
  const server = await serve(app, { ...quiet, logger, writeTimeoutMs: 500 })
  const port = Number(new URL(server.url).port)
  try {
    const stalled = await socketFrom(port)
    stalled.pause()
    stalled.write('GET /stalled HTTP/1.1\r\nHost: x\r\n\r\n')
    // The reader takes everything as it comes (and keeps none of it).
    const reader = connect({ host: '127.0.0.1', port })
    let read = 0
    reader.on('data', (data: Buffer) => (read += data.byteLength))
    reader.write('GET /reader HTTP/1.1\r\nHost: x\r\n\r\n')
    for (let waited = 0; !ended.has('/stalled') && waited < 8_000; waited += 50) await sleep(50)
    const cutAt = ended.get('/stalled') ?? Number.POSITIVE_INFINITY
    await sleep(1_000) // twice writeTimeoutMs more
    console.log(
      `stalled client cut after ${cutAt.toFixed(0)} ms; the reader still served after ${(performance.now() - started).toFixed(0)} ms: ${!ended.has('/reader')} (${(read / 1024 / 1024).toFixed(0)} MiB read)`,
    )
    assert.ok(cutAt < 5_000, `the stalled client was cut after ${cutAt} ms`)
    assert.equal(ended.has('/reader'), false, 'the client that reads keeps its stream')
    stalled.destroy()
    reader.destroy()
  } finally {
    await server.close()
  }
  assert.deepEqual(
    logger.lines.filter((line) => !line.startsWith('info')),
    [],
    'a cut client is not an error of the app',
  )
})

test('three slow uploads in flight at the drain get 503 with Connection: close at once, and close() does not wait drainTimeoutMs for them', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    const body = await readBody(receive, { limit: 10_000_000 })
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: `got ${body.byteLength}` })
  }
  const logger = memoryLogger()
  const server = await serve(app, { ...quiet, logger, drainTimeoutMs: 10_000 })
  const port = Number(new URL(server.url).port)
  const uploads = await Promise.all([0, 1, 2].map(() => socketFrom(port)))
  const trickle = setInterval(() => {
    for (const upload of uploads) if (!upload.destroyed) upload.write('x')
  }, 100)
  try {
    for (const upload of uploads) upload.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nxxxx')
    await sleep(300)
    const began = performance.now()
    const closed = server.close().then(() => performance.now() - began)
    const answers = await Promise.all(uploads.map((upload) => until(upload, (text) => text.includes('\r\n\r\n'), 5_000)))
    const answeredIn = performance.now() - began
    const closeMs = await closed
    console.log(
      `3 slow uploads at the drain: answered in ${answeredIn.toFixed(0)} ms (${answers[0]!.split('\r\n')[0]}), close() took ${closeMs.toFixed(0)} ms`,
    )
    for (const answer of answers) {
      assert.match(answer, /^HTTP\/1\.1 503 /)
      assert.match(answer, /\r\nconnection: close\r\n/i)
    }
    assert.ok(closeMs < 3_000, `close() took ${closeMs.toFixed(0)} ms`)
  } finally {
    clearInterval(trickle)
    for (const upload of uploads) upload.destroy()
    await server.close()
  }
  assert.deepEqual(
    logger.lines.filter((line) => !line.startsWith('info')),
    [],
    'nothing is logged for the refused uploads',
  )
})
