import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'

import express from 'express'
import WebSocket, { type ClientOptions } from 'ws'

import { embed, InvalidArgumentError, type App, type WebSocketScope } from '../src/index.ts'
import { routeUpgrade as expressUpgrade, toExpress } from '../src/embed/express.ts'
import { routeUpgrade as fastifyUpgrade } from '../src/embed/fastify.ts'
import { routeUpgrade as honoUpgrade } from '../src/embed/hono.ts'
import { host, hostNames, honoWays, type HostSetup } from './support/hosts.ts'
import { closeOf, nextMessage, refusal, wsUrl } from './support/websocket.ts'

/**
 * Opens a websocket and its first message: the app sends it right after the accept, so it can
 * arrive in the same read as the 101 and must be listened for before 'open'.
 */
async function openWithFirst(url: string, options: ClientOptions = {}): Promise<{ client: WebSocket; first: Record<string, string> }> {
  const client = new WebSocket(url, options)
  const first = nextMessage(client)
  await new Promise((resolve, reject) => {
    client.once('open', resolve)
    client.once('error', reject)
  })
  return { client, first: JSON.parse(String(await first)) as Record<string, string> }
}

/** Accepts, sends its scope's path parts as JSON, echoes text; records how each connection ended. */
function scopeEcho(events: string[]): App {
  return async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      await receive()
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      events.push('app.shutdown')
      await send({ type: 'lifespan.shutdown.complete' })
      return
    }
    if (scope.type !== 'websocket') return
    const { path, rootPath, rawPath, queryString } = scope as WebSocketScope
    await receive()
    await send({ type: 'websocket.accept' })
    await send({ type: 'websocket.send', text: JSON.stringify({ path, rootPath, rawPath, queryString }) })
    for (;;) {
      const message = await receive()
      if (message.type === 'websocket.disconnect') {
        events.push(`app.disconnect ${message.code}`)
        return
      }
      if (message.type === 'websocket.receive' && message.text !== undefined) await send({ type: 'websocket.send', text: message.text })
    }
  }
}

const ways: Array<[string, HostSetup]> = [
  ...hostNames.filter((name) => name !== 'hono').map((name): [string, HostSetup] => [name, {}]),
  ...honoWays.map(([way, setup]): [string, HostSetup] => [`hono ${way}`, setup]),
]

for (const [label, setup] of ways) {
  const name = label.startsWith('hono') ? 'hono' : (label as 'express' | 'fastify')

  test(`${label}: a websocket under the host's prefix reaches the tsgi app with the prefix as rootPath; a path outside it gets the host's 404 on the socket`, async (t) => {
    const events: string[] = []
    const hosted = await host(name, scopeEcho(events), { ...setup, prefix: '/chat', upgrades: true })
    t.after(() => hosted.close())
    const { client, first } = await openWithFirst(wsUrl(hosted.origin, '/chat/room%20one?who=ann'))
    assert.deepEqual(first, {
      path: '/room one',
      rootPath: '/chat',
      rawPath: '/chat/room%20one',
      queryString: 'who=ann',
    })
    client.send('héllo')
    assert.equal(await nextMessage(client), 'héllo')
    const closed = closeOf(client)
    client.close(1000)
    assert.equal((await closed).code, 1000)
    const outside = await refusal(wsUrl(hosted.origin, '/elsewhere'))
    assert.equal(outside.status, 404)
    // The connection ended with that answer: the server closed the socket, nothing hangs.
    assert.equal(outside.headers.connection, 'close')
  })

  test(`${label}: the tsgi app's close() sends an open websocket 1001, the app's websocket.disconnect 1001 comes before its lifespan.shutdown`, async (t) => {
    const events: string[] = []
    const hosted = await host(name, scopeEcho(events), { ...setup, prefix: '/chat', upgrades: true })
    t.after(() => hosted.close())
    const { client } = await openWithFirst(wsUrl(hosted.origin, '/chat/x'))
    const closed = closeOf(client)
    const started = Date.now()
    await hosted.close()
    assert.equal((await closed).code, 1001)
    assert.deepEqual(events, ['app.disconnect 1001', 'app.shutdown'])
    // Well inside the default drainTimeoutMs (10 s): the close frame ended it, not the timer.
    assert.ok(Date.now() - started < 5_000, `close() took ${Date.now() - started} ms`)
  })
}

test('an upgrade before startup() completed gets 503 with Retry-After, and reaches the app once it has', async (t) => {
  const events: string[] = []
  const hosted = await host('express', scopeEcho(events), { prefix: '/chat', upgrades: true, manual: true })
  t.after(() => hosted.close())
  const early = await refusal(wsUrl(hosted.origin, '/chat/x'))
  assert.equal(early.status, 503)
  assert.equal(early.headers['retry-after'], '1')
  await hosted.mounted.startup()
  const { client, first } = await openWithFirst(wsUrl(hosted.origin, '/chat/x'))
  assert.equal(first.rootPath, '/chat')
  client.terminate()
})

test('Express middleware before the mount runs for the upgrade too: its 401 reaches the client and the app never sees the websocket', async (t) => {
  const events: string[] = []
  const mounted = toExpress(scopeEcho(events), { logger: false })
  const expressApp = express()
  expressApp.use((req, res, next) => (req.headers.authorization === 'Bearer ok' ? next() : res.status(401).send('who are you')))
  expressApp.use('/chat', mounted)
  await mounted.startup()
  const server = expressApp.listen(0, '127.0.0.1').on('upgrade', expressUpgrade(expressApp))
  t.after(async () => {
    await mounted.close()
    server.close()
  })
  await new Promise((resolve) => server.once('listening', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const refused = await refusal(wsUrl(origin, '/chat/x'))
  assert.deepEqual([refused.status, refused.body], [401, 'who are you'])
  const { client, first } = await openWithFirst(wsUrl(origin, '/chat/x'), { headers: { authorization: 'Bearer ok' } })
  assert.equal(first.path, '/x')
  const closed = closeOf(client)
  client.close(1000)
  await closed
})

test("embed()'s own upgrade listener on a plain node:http server gives the app the full path, rootPath ''", async (t) => {
  const mounted = embed(scopeEcho([]), { logger: false, websocket: { maxPayloadBytes: 16 } })
  await mounted.startup()
  const server = createServer(mounted.node).on('upgrade', mounted.upgrade).listen(0, '127.0.0.1')
  t.after(async () => {
    await mounted.close()
    server.close()
  })
  await new Promise((resolve) => server.once('listening', resolve))
  const { client, first } = await openWithFirst(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/room`)
  assert.deepEqual(first, { path: '/room', rootPath: '', rawPath: '/room', queryString: '' })
  // The embedding's own websocket option holds: 17 bytes past a 16-byte limit close with 1009.
  const closed = closeOf(client)
  client.send('x'.repeat(17))
  assert.equal((await closed).code, 1009)
})

test('routeUpgrade() refuses what is not its host, and embed() refuses an unknown websocket option by name', () => {
  assert.throws(() => expressUpgrade(null as never), InvalidArgumentError)
  assert.throws(() => fastifyUpgrade({} as never), /routeUpgrade\(\) needs the Fastify instance/)
  assert.throws(() => honoUpgrade(42 as never), /routeUpgrade\(\) needs the Hono app, got number/)
  assert.throws(
    () => embed(async () => {}, { websocket: { maxPayload: 1 } as never }),
    (error: Error) => error instanceof InvalidArgumentError && /^embed\(\) has no option 'websocket\.maxPayload'/.test(error.message),
  )
  assert.throws(
    () => embed(async () => {}, { websocket: { pingIntervalMs: -1 } }),
    /^InvalidArgumentError: embed\(\): websocket\.pingIntervalMs/,
  )
})
