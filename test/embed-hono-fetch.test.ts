// toHono() where Hono runs on Request and Response alone (no node-server: Bun, Deno, workers,
// app.request() in tests): the same scope, the body from Hono's cache, 503 outside the lifecycle.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Hono } from 'hono'
import { toHono } from '../src/embed/hono.ts'
import { readBody } from '../src/http.ts'
import type { App } from '../src/index.ts'

const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return
  const body = Buffer.from(await readBody(receive)).toString()
  const length = scope.headers.find(([name]) => name === 'content-length')?.[1] ?? null
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({
    type: 'http.response.body',
    body: JSON.stringify({ path: scope.path, rawPath: scope.rawPath, rootPath: scope.rootPath, body, length }),
  })
}

test('toHono() on the fetch path: rootPath is the prefix Hono matched, and a body a middleware read arrives as the same bytes', async () => {
  const mounted = toHono(echo, { logger: false })
  const app = new Hono()
  app.use('*', async (c, next) => {
    if (c.req.method === 'POST') await c.req.json()
    await next()
  })
  app.route('/agents', mounted.hono)
  assert.equal((await app.request('/agents/x')).status, 503)
  await mounted.startup()
  const got = await app.request('/agents/x%20y')
  assert.deepEqual(await got.json(), { path: '/x y', rawPath: '/agents/x%20y', rootPath: '/agents', body: '', length: null })
  const sent = '{ "a" : 1 }'
  const posted = await app.request('/agents/in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  const seen = (await posted.json()) as { body: string; length: string }
  assert.equal(seen.body, sent)
  assert.equal(seen.length, String(Buffer.byteLength(sent)))
  assert.equal((await app.request('/agentsx')).status, 404)
  await mounted.close()
  assert.equal((await app.request('/agents/x')).status, 503)
})

test('embed().fetch answers 413 for a body past maxBodyBytes, declared or streamed, and the app never gets the rest', async () => {
  const received: number[] = []
  const reader: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    for (;;) {
      const message = await receive()
      if (message.type !== 'http.request') return
      received.push(message.body.byteLength)
      if (!message.moreBody) break
    }
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'read' })
  }
  const mounted = toHono(reader, { logger: false, maxBodyBytes: 16 })
  await mounted.startup()
  const declared = await mounted.fetch(new Request('http://x.test/', { method: 'POST', body: 'x'.repeat(64) }))
  assert.equal(declared.status, 413)
  const chunks = [new TextEncoder().encode('x'.repeat(10)), new TextEncoder().encode('y'.repeat(10))]
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
  const streamed = await mounted.fetch(new Request('http://x.test/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit))
  assert.equal(streamed.status, 413)
  assert.deepEqual(received, [10])
  await mounted.close()
})
