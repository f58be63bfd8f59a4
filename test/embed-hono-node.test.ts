// toHono() under @hono/node-server, where the request is read off the node pair and the answer
// is a Response: the body limits, the protocol's order of messages, and an app that stops
// early each end the exchange as the node bridge ends it.

import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { readBody } from '../src/http.ts'
import type { App } from '../src/index.ts'
import { host } from './support/hosts.ts'
import { memoryLogger } from './support/observe.ts'

/** Posts `chunks` one write at a time (chunked when no length is declared); resolves with the status. */
function post(origin: string, path: string, chunks: string[], declared?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = declared === undefined ? {} : { 'content-length': String(declared) }
    const req = request(`${origin}${path}`, { method: 'POST', headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

test("hono on node-server: a body past maxBodyBytes gets 413, declared or streamed, and readBody()'s own limit does too", async (t) => {
  const seen: number[] = []
  const reader: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    const body = await readBody(receive, { limit: scope.path === '/small' ? 4 : Infinity })
    seen.push(body.byteLength)
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'read' })
  }
  const hosted = await host('hono', reader, { options: { maxBodyBytes: 16 } })
  t.after(() => hosted.close())
  assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(64)], 64), 413)
  assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(10), 'y'.repeat(10)]), 413)
  assert.equal(await post(hosted.origin, '/a/small', ['x'.repeat(10)], 10), 413)
  assert.equal(await post(hosted.origin, '/a/x', ['x'.repeat(10)], 10), 200)
  assert.deepEqual(seen, [10])
})

test('hono on node-server: a body before its start is refused with a ProtocolError, and the request answered 500', async (t) => {
  const logger = memoryLogger()
  const errors: unknown[] = []
  const early: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    try {
      await send({ type: 'http.response.body', body: 'too soon' })
    } catch (error) {
      errors.push(error)
      throw error
    }
  }
  const hosted = await host('hono', early, { options: { logger } })
  t.after(() => hosted.close())
  const response = await fetch(`${hosted.origin}/a/x`)
  assert.equal(response.status, 500)
  assert.equal(await response.text(), 'Internal Server Error')
  assert.equal(errors.length, 1)
  assert.equal((errors[0] as Error).name, 'ProtocolError')
  assert.match((errors[0] as Error).message, /'http.response.body' cannot be sent .* 'idle'/)
})

test('hono on node-server: an app that returns after its start ends the response empty, with one warning', async (t) => {
  const logger = memoryLogger()
  const quitter: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 202, headers: [['x-app', 'quit']] })
  }
  const hosted = await host('hono', quitter, { options: { logger } })
  t.after(() => hosted.close())
  const response = await fetch(`${hosted.origin}/a/x`)
  assert.equal(response.status, 202)
  assert.equal(response.headers.get('x-app'), 'quit')
  assert.equal(await response.text(), '')
  assert.deepEqual(logger.lines, ['warn tsgi: GET /a/x: the app returned before the final body; the response was ended'])
})
