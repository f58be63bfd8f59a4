// The SDK apps in public: Host checks on both apps, a card that never shows a foreign Host,
// JSON-RPC only as JSON, no internal text to clients on either path, bounded tasks.

import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { TaskState, type AgentCard } from '@a2a-js/sdk'
import type { AgentExecutor } from '@a2a-js/sdk/server'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { a2aApp } from '../src/a2a/app.ts'
import { agentApp } from '../src/agent/agent.ts'
import { mount, router } from '../src/index.ts'
import type { Logger } from '../src/protocol/types.ts'
import { StepsExecutor } from './fixtures/a2a-executor.ts'
import { host } from './fixtures/agent-host.ts'
import { startMemoryChild, inParallel, post as rawPost } from './support/memory-child.ts'

const card = { name: 'Hardened', description: 'Answers in public' }
const SECRET = 'postgres://admin:hunter2@db.internal:5432/app'

/** A request with any Host header (fetch cannot set one). */
function send(port: number, path: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(' '))
  return { lines, logger: { debug: () => {}, info: () => {}, warn: keep, error: keep } }
}

const rpc = (id: number, method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, params })
const a2aHeaders = { 'content-type': 'application/json', 'a2a-version': '1.0' }
const message = (text: string, metadata = '{}') =>
  `{"message":{"messageId":"${crypto.randomUUID()}","role":"ROLE_USER","parts":[{"text":"${text}"}],"metadata":${metadata}}}`

test('allowedHosts on agent() guards both apps: Host evil.example gets 403 on /mcp and on /', async () => {
  const { app } = agentApp({
    allowedHosts: ['127.0.0.1', 'localhost'],
    mcp: { server: () => new McpServer({ name: 'h', version: '1' }) },
    a2a: { card, executor: new StepsExecutor() },
  })
  const hosted = await host(app)
  try {
    const evil = { host: 'evil.example', origin: 'http://evil.example' }
    const mcp = await send(hosted.port, '/mcp', 'POST', { ...evil, 'content-type': 'application/json' }, '{}')
    assert.equal(mcp.status, 403)
    const a2a = await send(hosted.port, '/', 'POST', evil, rpc(1, 'SendMessage', {}))
    assert.equal(a2a.status, 403)
    const cardAnswer = await send(hosted.port, '/.well-known/agent-card.json', 'GET', evil)
    assert.equal(cardAnswer.status, 403)
    const good = await send(hosted.port, '/.well-known/agent-card.json', 'GET', { host: `localhost:${hosted.port}` })
    assert.equal(good.status, 200)
    assert.equal((JSON.parse(good.text) as AgentCard).supportedInterfaces[0]?.url, `http://localhost:${hosted.port}/`)
  } finally {
    await hosted.close()
  }
})

test('without allowedHosts, a card fetched with a foreign Host shows the address the request arrived on', async () => {
  const hosted = await host(router([mount('/a2a', a2aApp({ card, executor: new StepsExecutor() }))]))
  try {
    const answer = await send(hosted.port, '/a2a/.well-known/agent-card.json', 'GET', { host: 'evil.example' })
    assert.equal(answer.status, 200)
    assert.doesNotMatch(answer.text, /evil\.example/)
    assert.equal((JSON.parse(answer.text) as AgentCard).supportedInterfaces[0]?.url, `http://127.0.0.1:${hosted.port}/a2a/`)
  } finally {
    await hosted.close()
  }
})

test('a JSON-RPC POST without a JSON content type gets 415 and never reaches the agent', async () => {
  const executor = new StepsExecutor()
  const hosted = await host(router([mount('/', a2aApp({ card, executor }))]))
  try {
    const none = await send(hosted.port, '/', 'POST', { 'a2a-version': '1.0' }, rpc(1, 'SendMessage', JSON.parse(message('echo hi'))))
    assert.equal(none.status, 415)
    const form = await send(hosted.port, '/', 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1')
    assert.equal(form.status, 415)
    assert.equal(executor.steps, 0)
  } finally {
    await hosted.close()
  }
})

test('metadata nested 5,000 deep: the client sees only "Internal error" on both paths, the server logs one line per call without the text', async () => {
  const { logger, lines } = capture()
  const hosted = await host(router([mount('/', a2aApp({ card, executor: new StepsExecutor(), logger }))]))
  try {
    const deep = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`
    const plain = await send(
      hosted.port,
      '/',
      'POST',
      a2aHeaders,
      `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":${message('echo', deep)}}`,
    )
    assert.deepEqual(JSON.parse(plain.text).error, { code: -32603, message: 'Internal error' })
    const streamed = await send(
      hosted.port,
      '/',
      'POST',
      a2aHeaders,
      `{"jsonrpc":"2.0","id":2,"method":"SendStreamingMessage","params":${message('echo', deep)}}`,
    )
    assert.doesNotMatch(plain.text + streamed.text, /stack|Maximum/i)
    assert.match(streamed.text, /Internal error/)
    assert.equal(lines.length, 2, lines.join('\n'))
    assert.match(lines[0]!, /tsgi a2a: SendMessage failed with \w+/)
    assert.match(lines[1]!, /tsgi a2a: SendStreamingMessage failed with \w+/)
    for (const line of lines) assert.doesNotMatch(line, /Maximum call stack/)
  } finally {
    await hosted.close()
  }
})

class LeakyExecutor implements AgentExecutor {
  cancelTask = async (): Promise<void> => {}
  async execute(): Promise<void> {
    throw new Error(`could not connect to ${SECRET}`)
  }
}

test('an executor that throws a secret: the failed task says "the agent failed", the log has one line with the class and no secret', async () => {
  const { logger, lines } = capture()
  const hosted = await host(router([mount('/', a2aApp({ card, executor: new LeakyExecutor(), logger }))]))
  try {
    const plain = await send(hosted.port, '/', 'POST', a2aHeaders, rpc(1, 'SendMessage', JSON.parse(message('do it'))))
    const streamed = await send(hosted.port, '/', 'POST', a2aHeaders, rpc(2, 'SendStreamingMessage', JSON.parse(message('do it'))))
    for (const answer of [plain.text, streamed.text]) {
      assert.doesNotMatch(answer, /hunter2|postgres|db\.internal/)
      assert.match(answer, /the agent failed/)
      assert.match(answer, /TASK_STATE_FAILED/)
    }
    assert.deepEqual(lines, ['tsgi a2a: execute failed with Error', 'tsgi a2a: execute failed with Error'])
  } finally {
    await hosted.close()
  }
  const exposed = await host(router([mount('/', a2aApp({ card, executor: new LeakyExecutor(), logger, exposeErrors: true }))]))
  try {
    const answer = await send(exposed.port, '/', 'POST', a2aHeaders, rpc(3, 'SendMessage', JSON.parse(message('do it'))))
    assert.match(answer.text, /could not connect to postgres/)
  } finally {
    await exposed.close()
  }
})

test('3,000 finished tasks against maxTasks 1,000: the store holds 1,000, RSS stays bounded, ListTasks pages', async () => {
  const server = await startMemoryChild({ MODE: 'a2a', MAX: '1000' })
  try {
    const start = await server.measure()
    await inParallel(3_000, 16, async (i) => {
      const status = await rawPost(
        server.port,
        '/',
        rpc(i, 'SendMessage', JSON.parse(message(`task ${i} ${'x'.repeat(2000)}`))),
        a2aHeaders,
      )
      assert.equal(status, 200)
    })
    const end = await server.measure()
    const list = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: 'POST',
      headers: a2aHeaders,
      body: rpc(9, 'ListTasks', { pageSize: 100 }),
    })
    const { result } = (await list.json()) as {
      result: { tasks: Array<{ status: { state: string } }>; totalSize: number; nextPageToken: string }
    }
    assert.equal(result.totalSize, 1_000)
    assert.equal(result.tasks.length, 100)
    assert.notEqual(result.nextPageToken, '')
    assert.equal(result.tasks[0]?.status.state, TaskState[TaskState.TASK_STATE_COMPLETED])
    // What the store retains is the heap after a full GC: about 5.5 MB here with the cap, about
    // 13.5 MB without it (measured on Node 20 and 24). RSS also holds the pages V8 keeps after a
    // GC, about 26 MB on Node 20 and 60 MB on Node 24 for the same work, so it only guards
    // against a leak outside the heap.
    const heap = (end.heap - start.heap) / 1024 / 1024
    const rss = (end.rss - start.rss) / 1024 / 1024
    console.log(`A2A heap +${heap.toFixed(1)} MB, RSS +${rss.toFixed(1)} MB after 3,000 tasks`)
    assert.ok(heap < 10, `the heap kept ${heap.toFixed(1)} MB after a GC`)
    assert.ok(rss < 110, `RSS grew by ${rss.toFixed(1)} MB`)
  } finally {
    await server.stop()
  }
})
