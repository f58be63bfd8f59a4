// embed()'s lifecycle under hosts that own none (Express, Hono): requests before startup() or
// after close() began get 503 with Retry-After; close() then server.close() with idle
// keep-alive clients and an open SSE stream finishes in under 200 ms.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request as httpRequest, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { embed, InvalidArgumentError, ServerClosedError, type App, type LifespanScope } from '../src/index.ts'
import { host } from './support/hosts.ts'

/** An SSE app that ends its streams when the host begins to drain, as the MCP and A2A apps do. */
function sseApp(): App {
  let draining: AbortSignal | undefined
  return async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      draining = (scope as LifespanScope).draining
      await receive()
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      return send({ type: 'lifespan.shutdown.complete' })
    }
    if (scope.path !== '/events') {
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
      return send({ type: 'http.response.body', body: 'ok' })
    }
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
    await send({ type: 'http.response.body', body: ': open\n\n', moreBody: true })
    if (draining !== undefined && !draining.aborted) await new Promise((resolve) => draining!.addEventListener('abort', resolve))
    await send({ type: 'http.response.body', body: 'event: bye\ndata: draining\n\n' })
  }
}

function get(agent: Agent, url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    request.on('error', reject)
    request.end()
  })
}

for (const name of ['express', 'hono'] as const) {
  test(`${name}: requests before startup() and after close() began get 503 with Retry-After, never the app`, async (t) => {
    let reached = 0
    const app: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return
      reached++
      await send({ type: 'http.response.start', status: 200 })
      await send({ type: 'http.response.body', body: 'ok' })
    }
    const hosted = await host(name, app, { manual: true })
    t.after(() => hosted.close())
    const early = await fetch(`${hosted.origin}/a/x`)
    assert.equal(early.status, 503)
    assert.equal(early.headers.get('retry-after'), '1')
    await early.text()
    await hosted.mounted.startup()
    assert.equal((await fetch(`${hosted.origin}/a/x`)).status, 200)
    await hosted.mounted.close()
    const late = await fetch(`${hosted.origin}/a/x`)
    assert.equal(late.status, 503)
    assert.equal(late.headers.get('retry-after'), '1')
    await late.text()
    assert.equal(reached, 1)
  })

  test(`${name}: close() then server.close() with idle keep-alive clients and an open SSE stream finishes in under 200 ms`, async (t) => {
    const hosted = await host(name, sseApp())
    t.after(() => hosted.close())
    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    t.after(() => agent.destroy())
    // Three idle keep-alive sockets, then a stream left open.
    await Promise.all([1, 2, 3].map(() => get(agent, `${hosted.origin}/a/ping`)))
    const stream = get(agent, `${hosted.origin}/a/events`)
    await sleep(50)
    const started = performance.now()
    await hosted.mounted.close()
    await new Promise<void>((resolve) => hosted.server.close(() => resolve()))
    const took = performance.now() - started
    const { body } = await stream
    assert.match(body, /event: bye/)
    assert.ok(took < 200, `close took ${took.toFixed(0)} ms`)
  })
}

test('embed().node and embed().fetch answer 503 before startup() and serve the app after it', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: `${scope.rootPath}|${scope.path}` })
  }
  const mounted = embed(app, { logger: false })
  assert.equal(mounted.phase, 'starting')
  const early = await mounted.fetch(new Request('http://x.test/a'))
  assert.equal(early.status, 503)
  assert.equal(early.headers.get('retry-after'), '1')
  await mounted.startup()
  assert.equal(mounted.phase, 'running')
  assert.equal(await (await mounted.fetch(new Request('http://x.test/a%20b'))).text(), '|/a b')
  await mounted.close()
  await mounted.close()
  assert.equal(mounted.phase, 'stopped')
  assert.equal((await mounted.fetch(new Request('http://x.test/a'))).status, 503)
})

test('a request reaching embed() before startup() was called logs once why it got 503; after close() nothing is logged', async () => {
  const warnings: string[] = []
  const logger = { debug() {}, info() {}, warn: (...a: unknown[]) => warnings.push(a.join(' ')), error() {} }
  const mounted = embed(async () => {}, { logger })
  const server = createServer(mounted.node).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`
  try {
    assert.equal((await fetch(url)).status, 503)
    assert.equal((await fetch(url)).status, 503)
    assert.equal((await mounted.fetch(new Request('http://x.test/a'))).status, 503)
    assert.deepEqual(warnings, [
      'tsgi: a request reached the embedded app before it started and got 503: startup() was never called (call `await mounted.startup()` before the host serves); said once',
    ])
    await mounted.startup()
    await mounted.close()
    assert.equal((await fetch(url)).status, 503)
    assert.equal(warnings.length, 1)
  } finally {
    server.close()
  }
})

test('a request during a startup still running, or after a failed one, is logged once with that reason', async () => {
  const warnings: string[] = []
  const logger = { debug() {}, info() {}, warn: (...a: unknown[]) => warnings.push(a.join(' ')), error() {} }
  let release = () => {}
  let entered = () => {}
  const inHook = new Promise<void>((resolve) => (entered = resolve))
  const hook = () =>
    new Promise<void>((resolve) => {
      release = resolve
      entered()
    })
  const slow = embed(async () => {}, { logger, onStartup: [hook] })
  const starting = slow.startup()
  await inHook
  assert.equal((await slow.fetch(new Request('http://x.test/a'))).status, 503)
  release()
  await starting
  await slow.close()
  const failing = embed(async () => {}, {
    logger,
    onStartup: [
      () => {
        throw new Error('no database')
      },
    ],
  })
  await assert.rejects(failing.startup())
  assert.equal((await failing.fetch(new Request('http://x.test/a'))).status, 503)
  assert.deepEqual(
    warnings.map((line) => line.replace(/^.*got 503: /, '')),
    ['its startup() has not completed yet; said once', 'its startup() failed; said once'],
  )
})

test('embed() closed before it started stays stopped, and a later startup() is refused', async () => {
  const mounted = embed(async () => {}, { logger: false })
  await mounted.close()
  assert.equal(mounted.phase, 'stopped')
  await assert.rejects(mounted.startup(), ServerClosedError)
})

test('embed() refuses bad options with a sentence naming the option and the value', () => {
  const app: App = async () => {}
  assert.throws(
    () => embed(app, { port: 3000 } as never),
    (e: unknown) => e instanceof InvalidArgumentError && /embed\(\) has no option 'port': the host owns the port/.test(e.message),
  )
  assert.throws(() => embed(app, { consumedBody: 'drop' as never }), /consumedBody must be 'replay' or 'error', got 'drop'/)
  assert.throws(() => embed(app, { maxBodyBytes: -1 }), /maxBodyBytes must be a non-negative integer or Infinity, got -1/)
  assert.throws(() => embed(app, { onStartup: [42 as never] }), /onStartup\[0\] must be a function, got 42/)
  assert.throws(() => embed(app, { drainTimeoutMs: 0 }), /drainTimeoutMs must be a positive number/)
  assert.throws(() => embed(app, { logger: {} as never }), /logger must have debug, info, warn and error methods/)
  assert.throws(() => embed('app' as never), /embed\(\) needs an app function, got string/)
})
