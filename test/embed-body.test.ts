// A body the host already read is never lost: behind express.json() the app gets the same JSON
// value, behind a Hono middleware that called c.req.json() the same bytes, under Fastify the
// stream itself; with consumedBody: 'error' it is a 500 and one log line.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import express from 'express'
import { toNodeHandler, type App, type HttpScope } from '../src/index.ts'
import { readBody } from '../src/http.ts'
import { memoryLogger } from './support/observe.ts'
import { host, hostNames } from './support/hosts.ts'

/** Answers with what it received: the body as text and the content-length it was told. */
function bodyEcho(): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') return
    const body = Buffer.from(await readBody(receive)).toString()
    const length = (scope as HttpScope).headers.find(([name]) => name === 'content-length')?.[1] ?? null
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
    await send({ type: 'http.response.body', body: JSON.stringify({ body, length }) })
  }
}

const sent = '{ "b": [1, 2],\n  "a": "x" }'

for (const name of hostNames) {
  const after = name === 'express' ? 'express.json()' : name === 'hono' ? 'a middleware that called c.req.json()' : 'its own parser'
  test(`${name}: behind ${after} the app gets the body, with a content-length that matches`, async (t) => {
    const hosted = await host(name, bodyEcho(), { before: 'json' })
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
    assert.equal(response.status, 200)
    const { body, length } = (await response.json()) as { body: string; length: string }
    assert.equal(Number(length), Buffer.byteLength(body))
    if (name === 'express') assert.deepEqual(JSON.parse(body), JSON.parse(sent))
    else assert.equal(body, sent, 'the same bytes')
  })

  const refuses = name !== 'fastify'
  const title = refuses
    ? `${name}: with consumedBody 'error', a body the host read answers 500 and logs one line`
    : `${name}: with consumedBody 'error' nothing is refused, since the plugin leaves the stream unread`
  test(title, async (t) => {
    const logger = memoryLogger()
    const hosted = await host(name, bodyEcho(), { before: 'json', options: { consumedBody: 'error', logger } })
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
    if (!refuses) {
      assert.equal(response.status, 200)
      assert.equal(((await response.json()) as { body: string }).body, sent)
      assert.deepEqual(logger.lines, [])
      return
    }
    assert.equal(response.status, 500)
    assert.equal(await response.text(), 'Internal Server Error')
    const errors = logger.lines.filter((line) => line.startsWith('error'))
    assert.equal(errors.length, 1, logger.lines.join('\n'))
    assert.match(errors[0]!, /POST \/a\/in: the host already read the request body and consumedBody is 'error'/)
  })
}

test('fastify: sibling routes still parse JSON while the tsgi routes get the stream unread', async (t) => {
  const hosted = await host('fastify', bodyEcho(), { sibling: '/sibling' })
  t.after(() => hosted.close())
  const sibling = await fetch(`${hosted.origin}/sibling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  assert.deepEqual(await sibling.json(), { sibling: true, body: JSON.parse(sent) })
  const tsgi = await fetch(`${hosted.origin}/a/in`, { method: 'POST', headers: { 'content-type': 'text/x-anything' }, body: sent })
  assert.equal(((await tsgi.json()) as { body: string }).body, sent)
})

test('toNodeHandler() behind express.json() gets the same JSON value and the mount, not an empty body', async (t) => {
  const seen: HttpScope[] = []
  const echo = bodyEcho()
  const app: App = (scope, receive, send) => {
    if (scope.type === 'http') seen.push(scope)
    return echo(scope, receive, send)
  }
  const expressApp = express()
  expressApp.use(express.json())
  expressApp.use('/mcp', toNodeHandler(app, { logger: false }))
  const server = expressApp.listen(0, '127.0.0.1')
  t.after(() => new Promise((resolve) => server.close(resolve)))
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  const response = await fetch(`http://127.0.0.1:${port}/mcp/x`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: sent,
  })
  assert.deepEqual(JSON.parse(((await response.json()) as { body: string }).body), JSON.parse(sent))
  assert.equal(seen[0]!.rootPath, '/mcp')
  assert.equal(seen[0]!.rawPath, '/mcp/x')
  assert.equal(seen[0]!.path, '/x')
})

test('a parser that kept nothing usable gets a 500 naming why, never an empty body', async (t) => {
  const logger = memoryLogger()
  const expressApp = express()
  // A middleware that drains the stream and keeps nothing.
  expressApp.use((req, _res, next) => {
    req.resume()
    req.on('end', () => next())
  })
  expressApp.use('/a', toNodeHandler(bodyEcho(), { logger }))
  const server = expressApp.listen(0, '127.0.0.1')
  t.after(() => new Promise((resolve) => server.close(resolve)))
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  const response = await fetch(`http://127.0.0.1:${port}/a/in`, { method: 'POST', body: 'lost?' })
  assert.equal(response.status, 500)
  assert.equal(await response.text(), 'Internal Server Error')
  assert.equal(logger.lines.length, 1)
  assert.match(logger.lines[0]!, /the host already read the request body and kept nothing of it/)
})
