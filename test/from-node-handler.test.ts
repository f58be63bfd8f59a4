// Existing apps as tsgi children, under a router served by serve(): an Express app through
// fromNodeHandler() and a Fastify instance through fromFastify(), on real sockets.

import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import express from 'express'
import Fastify from 'fastify'
import { fromFastify } from '../src/embed/fastify.ts'
import { fromNodeHandler, mount, router, serve, toFetchHandler, type App } from '../src/index.ts'
import { memoryLogger } from './support/observe.ts'

const quiet = { port: 0, signals: false as const, logger: false as const }

function recorder(events: string[], name: string): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'lifespan') return
    await receive()
    events.push(`${name}+`)
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    events.push(`${name}-`)
    await send({ type: 'lifespan.shutdown.complete' })
  }
}

function legacyExpress() {
  const legacy = express()
  legacy.get('/users', (req, res) => {
    res.json({ url: req.url, originalUrl: req.originalUrl, baseUrl: req.baseUrl })
  })
  legacy.get('/boom', () => {
    throw new Error('secret-token-123 leaked in a stack')
  })
  legacy.get('/stream', async (_req, res) => {
    res.setHeader('content-type', 'text/plain')
    const chunk = 'x'.repeat(64 * 1024)
    let pushedBack = false
    for (let i = 0; i < 64; i++) {
      if (!res.write(chunk)) {
        pushedBack = true
        await new Promise((resolve) => res.once('drain', resolve))
      }
    }
    res.end(pushedBack ? '\nback-pressure' : '\nno back-pressure')
  })
  return legacy
}

test("fromNodeHandler(express) at /legacy sees req.url '/users', originalUrl '/legacy/users', baseUrl '/legacy'", async () => {
  const logger = memoryLogger()
  const server = await serve(router([mount('/legacy', fromNodeHandler(legacyExpress(), { logger }))]), quiet)
  try {
    const users = await fetch(`${server.url}/legacy/users?page=2`)
    assert.equal(users.status, 200)
    assert.deepEqual(await users.json(), { url: '/users?page=2', originalUrl: '/legacy/users?page=2', baseUrl: '/legacy' })

    const missing = await fetch(`${server.url}/legacy/nothing-here`)
    assert.equal(missing.status, 404)
    assert.equal(await missing.text(), 'Not Found')

    const boom = await fetch(`${server.url}/legacy/boom`)
    assert.equal(boom.status, 500)
    const text = await boom.text()
    assert.equal(text, 'Internal Server Error')
    assert.doesNotMatch(text, /secret|at /)
    assert.equal(logger.lines.filter((l) => l.startsWith('error')).length, 1)
    assert.match(logger.lines[0]!, /GET \/legacy\/boom: the node handler passed an error to next\(\); answered 500/)
  } finally {
    await server.close()
  }
})

test('fromNodeHandler keeps back-pressure: a slow reader makes the handler wait for drain', async () => {
  const server = await serve(router([mount('/legacy', fromNodeHandler(legacyExpress()))]), quiet)
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(`${server.url}/legacy/stream`, (res) => {
        res.pause()
        // Read nothing for a while: the socket buffers fill and res.write() returns false.
        setTimeout(() => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => resolve(text))
          res.resume()
        }, 200)
      })
      request.on('error', reject)
      request.end()
    })
    assert.equal(body.length, 64 * 64 * 1024 + '\nback-pressure'.length)
    assert.ok(body.endsWith('\nback-pressure'))
  } finally {
    await server.close()
  }
})

test('fromNodeHandler under a host with no node request (toFetchHandler) answers 500 with a clear log line, never hangs', async () => {
  const logger = memoryLogger()
  const handler = toFetchHandler(router([mount('/legacy', fromNodeHandler(legacyExpress(), { logger }))]))
  const response = await handler(new Request('http://x.test/legacy/users'))
  assert.equal(response.status, 500)
  assert.equal(await response.text(), 'Internal Server Error')
  assert.match(logger.lines[0]!, /this host gives no node:http request to hand over/)
})

test('fromFastify(f) as a child: onReady in mount order with its siblings, onClose in reverse, it never listens, its routes answer', async () => {
  const events: string[] = []
  const fastify = Fastify()
  fastify.addHook('onReady', async () => void events.push('fastify+'))
  fastify.addHook('onClose', async () => void events.push('fastify-'))
  fastify.get('/users', async (request) => ({ url: request.url }))
  const app = router([
    mount('/first', recorder(events, 'first')),
    mount('/legacy', fromFastify(fastify)),
    mount('/last', recorder(events, 'last')),
  ])
  const server = await serve(app, quiet)
  try {
    assert.deepEqual(events, ['first+', 'fastify+', 'last+'])
    assert.equal(fastify.server.listening, false)
    const users = await fetch(`${server.url}/legacy/users`)
    assert.deepEqual(await users.json(), { url: '/users' })
    assert.equal((await fetch(`${server.url}/legacy/none`)).status, 404)
  } finally {
    await server.close()
  }
  assert.deepEqual(events, ['first+', 'fastify+', 'last+', 'last-', 'fastify-', 'first-'])
})

test('fromFastify(f) whose onReady fails rolls back the siblings that started, and serve() rejects naming its mount', async () => {
  const events: string[] = []
  const fastify = Fastify()
  fastify.addHook('onReady', async () => {
    await sleep(5)
    throw new Error('no database')
  })
  const app = router([
    mount('/first', recorder(events, 'first')),
    mount('/legacy', fromFastify(fastify)),
    mount('/last', recorder(events, 'last')),
  ])
  await assert.rejects(serve(app, quiet), /\/legacy/)
  assert.deepEqual(events, ['first+', 'first-'])
})
