// tsgiPlugin follows Fastify's own lifecycle: onReady starts the tsgi app (a failure rejects
// listen() and nothing listens), a startup past pluginTimeout fails with LifespanTimeoutError
// and the late starter is stopped, close() drains an open MCP stream in time and shuts tsgi
// down exactly once; when another plugin's onReady fails, tsgi is rolled back at once.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { tsgiPlugin } from '../src/embed/fastify.ts'
import { mcpApp } from '../src/mcp/app.ts'
import { LifespanStartupError, LifespanTimeoutError, type App, type LifespanFn } from '../src/index.ts'
import { freePort, refused } from './support/observe.ts'

/** An app whose startup waits `ms` and then completes or fails, and that records its lifespan. */
function lifespanApp(events: string[], { ms = 0, fail = false } = {}): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'lifespan') {
      await send({ type: 'http.response.start', status: 204 })
      return send({ type: 'http.response.body' })
    }
    await receive()
    events.push('startup')
    await sleep(ms)
    if (fail) return send({ type: 'lifespan.startup.failed', message: 'the pool would not open' })
    events.push('started')
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    events.push('shutdown')
    await send({ type: 'lifespan.shutdown.complete' })
  }
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

test('fastify: listen() rejects with LifespanStartupError when the tsgi startup fails, and nothing listens', async (t) => {
  const events: string[] = []
  const fastify = Fastify()
  t.after(() => fastify.close())
  await fastify.register(tsgiPlugin(lifespanApp(events, { fail: true }), { logger: false }), { prefix: '/a' })
  const port = await freePort()
  await assert.rejects(fastify.listen({ port, host: '127.0.0.1' }), (error: unknown) => {
    assert.ok(error instanceof LifespanStartupError)
    assert.match(error.message, /the pool would not open/)
    return true
  })
  assert.equal(fastify.server.listening, false)
  assert.equal(await refused(port), true)
  assert.deepEqual(events, ['startup'])
})

test('fastify: a startup slower than pluginTimeout fails with LifespanTimeoutError, and the late starter is stopped', async (t) => {
  const events: string[] = []
  const fastify = Fastify({ pluginTimeout: 300 })
  t.after(() => fastify.close())
  const plugin = tsgiPlugin(lifespanApp(events, { ms: 600 }), { logger: false })
  await fastify.register(plugin, { prefix: '/a' })
  await assert.rejects(
    async () => fastify.ready(),
    (error: unknown) => {
      assert.ok(error instanceof LifespanTimeoutError, `got ${String(error)}`)
      assert.equal(error.phase, 'startup')
      return true
    },
  )
  // Once its startup finishes, the app is shut down: nothing keeps running unwatched.
  await until(() => events.includes('shutdown'), 'the late starter to be stopped')
  assert.deepEqual(events, ['startup', 'started', 'shutdown'])
  assert.equal(plugin.phase, 'stopped')
})

test('fastify: close() with an MCP SSE stream open fires draining, ends within drainTimeoutMs + 100 ms, and shuts tsgi down once', async (t) => {
  let teardowns = 0
  const counted: LifespanFn = async function* counted() {
    yield
    teardowns++
  }
  const mcp = mcpApp({ server: () => new McpServer({ name: 'embed-sse', version: '1.0.0' }) })
  const fastify = Fastify()
  const drainTimeoutMs = 1000
  const plugin = tsgiPlugin(mcp, { lifespan: counted, drainTimeoutMs, logger: false })
  await fastify.register(plugin, { prefix: '/mcp' })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  t.after(() => fastify.close())
  const { port } = fastify.server.address() as { port: number }
  const endpoint = `http://127.0.0.1:${port}/mcp`
  const rpc = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const init = await fetch(endpoint, {
    method: 'POST',
    headers: rpc,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  })
  const session = init.headers.get('mcp-session-id')!
  await init.text()
  const stream = await fetch(endpoint, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
  })
  assert.equal(stream.headers.get('content-type'), 'text/event-stream')
  const ended = (async () => {
    const reader = stream.body!.getReader()
    while (!(await reader.read()).done);
  })()
  const started = performance.now()
  await fastify.close()
  const took = performance.now() - started
  await ended
  assert.equal(plugin.draining.aborted, true)
  assert.ok(took < drainTimeoutMs + 100, `fastify.close() took ${took.toFixed(0)} ms`)
  assert.equal(teardowns, 1)
  assert.equal(plugin.phase, 'stopped')
})

test("fastify: after another plugin's onReady failed, tsgi is rolled back at once, and fastify.close() does not shut it down again", async () => {
  const events: string[] = []
  const fastify = Fastify()
  const plugin = tsgiPlugin(lifespanApp(events), { logger: false })
  await fastify.register(plugin, { prefix: '/a' })
  // Another plugin, registered after tsgi: its onReady runs after tsgi's and fails.
  await fastify.register(function cacheWarmer(instance, _options, done) {
    instance.addHook('onReady', async function brokenWarmup() {
      throw new Error('the cache would not warm')
    })
    done()
  })
  await assert.rejects(async () => fastify.listen({ port: 0, host: '127.0.0.1' }), /the cache would not warm/)
  assert.equal(fastify.server.listening, false)
  // Nobody called close(): the failed ready() alone stops what tsgi started.
  const deadline = performance.now() + 1_000
  while (plugin.phase !== 'stopped' && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  assert.equal(plugin.phase, 'stopped')
  assert.deepEqual(events, ['startup', 'started', 'shutdown'])
  await fastify.close()
  // A second close (a signal handler and a test hook, say) does not shut it down again either.
  await fastify.close()
  assert.deepEqual(events, ['startup', 'started', 'shutdown'])
})
