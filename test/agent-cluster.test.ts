// agent({ workers: 2 }) as a real machine (a primary and two workers), every request on a fresh
// TCP connection, so consecutive requests land on different workers. MCP: sessions answer from
// every worker (relayed to the worker that owns them), sampling included. A2A: tasks are seen
// from every worker, cancels and subscriptions reach the worker running the task, a task whose
// worker was killed is FAILED at once, finished tasks outlive a rolling reload. One machine for
// the whole file, the tests in order: booting two workers that load both SDKs is the slow part.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { after, before, test } from 'node:test'

import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js'

import { TaskState, type Task } from '@a2a-js/sdk'

import { userMessage } from './fixtures/a2a-executor.ts'
import { liveWorkerPids, startMachine, type Machine } from './support/cluster.ts'
import { freshA2aClient, freshFetch } from './support/fresh-clients.ts'

const agentFixture = new URL('./fixtures/agent-cluster.ts', import.meta.url).pathname

function send(text: string) {
  return {
    tenant: '',
    message: userMessage(text),
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
    metadata: {},
  }
}

let machine: Machine
let url: string

before(async () => {
  machine = startMachine({}, agentFixture)
  // Two workers each loading both SDKs: slow on a loaded machine.
  const ready = await machine.waitFor((e) => e.event === 'primary ready', 'primary ready', 60_000)
  url = ready.url as string
})

after(() => machine.destroy())

async function mcpClient(sampling = false): Promise<McpClient> {
  const client = new McpClient({ name: 'cluster-test', version: '1.0.0' }, sampling ? { capabilities: { sampling: {} } } : {})
  if (sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const asked = request.params.messages[0]!.content as { type: string; text?: string }
      const text = asked.text ?? ''
      return { role: 'assistant', model: 'echo', content: { type: 'text', text: text.toUpperCase() } }
    })
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: freshFetch(10_000) }))
  return client
}

function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content
  return content.map((part) => part.text ?? '').join('')
}

test('agent({ workers: 2 }) runs the primary hook once and two workers answer MCP tool calls', async (t) => {
  const workerPids = new Set<string>()
  let failures = 0
  const began = Date.now()
  for (let i = 0; i < 20; i++) {
    try {
      const client = await mcpClient()
      for (let call = 0; call < 2; call++) workerPids.add(textOf(await client.callTool({ name: 'pid' })))
      await client.close()
    } catch (error) {
      failures++
      t.diagnostic(`client ${i} failed: ${String(error)}`)
    }
  }
  t.diagnostic(
    `20 MCP clients x (connect + 2 tool calls), fresh connections: ${failures} failures in ${Date.now() - began} ms; ${workerPids.size} workers answered`,
  )
  assert.equal(failures, 0)
  assert.equal(workerPids.size, 2, 'both workers own sessions')
  assert.equal(machine.count('primary startup'), 1)
  assert.equal(machine.count('worker startup'), 2)
})

test('a sampling round trip works when the session lives on one worker and its requests land on both', async () => {
  const owners = new Set<string>()
  for (let i = 0; i < 6 && owners.size < 2; i++) {
    // One more fresh connection shifts which worker the next initialize lands on.
    if (i > 0) await (await freshFetch(10_000)(`${url}/.well-known/agent-card.json`)).arrayBuffer()
    const client = await mcpClient(true)
    const [owner, answer] = textOf(await client.callTool({ name: 'ask', arguments: { prompt: `hello ${i}` } })).split(':')
    assert.equal(answer, `HELLO ${i}`)
    owners.add(owner!)
    await client.close()
  }
  assert.equal(owners.size, 2, 'sessions of both workers made the round trip')
})

/** A POST to /mcp over `agent`, resolved at the answer's head (its body left unread). */
function mcpPost(agent: HttpAgent, session: string | null, message: object): Promise<IncomingMessage> {
  const body = JSON.stringify(message)
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  if (session !== null) headers['mcp-session-id'] = session
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/mcp`, { method: 'POST', agent, headers }, resolve)
    req.once('error', reject)
    req.end(body)
  })
}

async function drained(response: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of response) text += chunk
  return text
}

/** A session made over `agent`: its id names the worker that took the connection. */
async function initializeOn(agent: HttpAgent): Promise<string> {
  const params = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } }
  const answer = await mcpPost(agent, null, { jsonrpc: '2.0', id: 1, method: 'initialize', params })
  const session = answer.headers['mcp-session-id'] as string
  await drained(answer)
  await drained(await mcpPost(agent, session, { jsonrpc: '2.0', method: 'notifications/initialized' }))
  return session
}

const ownerPid = (session: string): number => Number(session.split('-', 1)[0])

/** A session owned by another worker than `pid` (fresh connections alternate between workers). */
async function sessionNotOn(pid: number): Promise<string> {
  for (let i = 0; i < 8; i++) {
    // A session costs two connections; one more shifts which worker the next initialize lands on.
    if (i > 0) await (await freshFetch(10_000)(`${url}/.well-known/agent-card.json`)).arrayBuffer()
    const session = await initializeOn(new HttpAgent({ keepAlive: false }))
    if (ownerPid(session) !== pid) return session
  }
  throw new Error(`every session landed on worker ${pid}`)
}

function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]
  return Number(kb) * 1024
}

function toolCall(name: string, args: object = {}) {
  return { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } }
}

test('a relayed stream whose client stops reading holds the relay at its socket buffers, and delivers everything once read', {
  timeout: 60_000,
}, async (t) => {
  // One keep-alive connection: the session made on it says which worker holds the connection.
  const connection = new HttpAgent({ keepAlive: true, maxSockets: 1 })
  const relay = ownerPid(await initializeOn(connection))
  const session = await sessionNotOn(relay)
  const count = 2_000
  const size = 32 * 1024
  const before = rssBytes(relay)
  const answer = await mcpPost(connection, session, toolCall('flood', { count, size }))
  // Nothing reads the answer while the owner writes 64 MiB into it.
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  const grown = rssBytes(relay) - before
  const text = await drained(answer)
  const delivered = text.split('notifications/message').length - 1
  t.diagnostic(
    `relay worker RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB while ${((count * size) / 2 ** 20).toFixed(0)} MiB waited behind an unread stream; ${delivered} notifications delivered once read`,
  )
  assert.equal(delivered, count)
  assert.match(text, new RegExp(`"text":"${count}"`))
  assert.ok(grown < 24 * 2 ** 20, `the relay grew ${grown} bytes`)
  connection.destroy()
})

test('a relayed request whose owner is killed mid-answer ends at once, and the session then answers 404', {
  timeout: 60_000,
}, async (t) => {
  const connection = new HttpAgent({ keepAlive: true, maxSockets: 1 })
  const relay = ownerPid(await initializeOn(connection))
  const session = await sessionNotOn(relay)
  const answer = await mcpPost(connection, session, toolCall('slow'))
  assert.equal(answer.statusCode, 200)
  const ended = new Promise<string>((resolve) => {
    answer.once('end', () => resolve('ended'))
    answer.once('error', () => resolve('cut'))
    answer.once('close', () => resolve('closed'))
  })
  await new Promise((resolve) => answer.once('data', resolve))
  const killedAt = Date.now()
  process.kill(ownerPid(session), 'SIGKILL')
  const how = await ended
  const endedMs = Date.now() - killedAt
  // A connection node:cluster hands out before the primary saw the exit can go to the dead
  // worker and hang there (the kernel's accept, not ours): ask once the primary knows.
  const owner = ownerPid(session)
  await machine.waitFor((e) => e.event === 'cluster exit' && e.workerPid === owner, 'the owner seen gone by the primary', 10_000)
  const asked = Date.now()
  const gone = await mcpPost(new HttpAgent({ keepAlive: false }), session, toolCall('pid'))
  await drained(gone)
  const goneMs = Date.now() - asked
  t.diagnostic(`owner killed: the relayed answer ${how} ${endedMs} ms later; the session answered ${gone.statusCode} in ${goneMs} ms`)
  assert.ok(endedMs < 2_000, `ended ${endedMs} ms after the kill`)
  assert.equal(gone.statusCode, 404)
  assert.ok(goneMs < 2_000)
  connection.destroy()
  await machine.waitFor((e) => e.event === 'cluster ready' && e.t > killedAt, 'the replacement ready', 60_000)
})

function asTask(result: unknown): Task {
  assert.ok(result !== null && typeof result === 'object' && 'id' in result && 'status' in result, 'SendMessage answered with a task')
  return result as Task
}

test('a running task is found by GetTask from every worker, watched by 3 subscriptions, and cancelled at the worker that runs it', async (t) => {
  const client = await freshA2aClient(url)
  const task = asTask(await client.sendMessage(send('run')))
  const execute = await machine.waitFor((e) => e.event === 'execute' && e.taskId === task.id, 'the execution')

  for (let i = 0; i < 10; i++) {
    const found = await client.getTask({ tenant: '', id: task.id, historyLength: undefined })
    assert.equal(found.id, task.id)
    assert.ok(
      [TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING].includes(found.status!.state),
      `GetTask ${i}: ${found.status?.state}`,
    )
  }
  for (let i = 0; i < 2; i++) {
    const listed = await client.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageSize: 10,
      pageToken: '',
      historyLength: undefined,
      statusTimestampAfter: undefined,
      includeArtifacts: false,
    })
    assert.deepEqual(
      listed.tasks.map((x) => x.id),
      [task.id],
      `ListTasks ${i}`,
    )
  }

  const watched = await Promise.all(
    Array.from({ length: 3 }, async () => {
      const began = Date.now()
      let events = 0
      for await (const _event of client.resubscribeTask({ tenant: '', id: task.id })) {
        if (++events >= 4 || Date.now() - began > 1_500) break
      }
      return { events, ms: Date.now() - began }
    }),
  )
  for (const { events, ms } of watched) assert.ok(events >= 4 && ms <= 1_500, `a subscription saw ${events} events in ${ms} ms`)

  const cancelled = await client.cancelTask({ tenant: '', id: task.id, metadata: {} })
  assert.equal(cancelled.status?.state, TaskState.TASK_STATE_CANCELED)
  const asked = await machine.waitFor((e) => e.event === 'cancel asked' && e.taskId === task.id, 'the executor asked to cancel')
  assert.equal(asked.pid, execute.pid, 'the executor that runs the task was asked')
  for (let i = 0; i < 4; i++) {
    const later = await client.getTask({ tenant: '', id: task.id, historyLength: undefined })
    assert.equal(later.status?.state, TaskState.TASK_STATE_CANCELED, `GetTask ${i} after the cancel`)
  }
  t.diagnostic(`subscriptions: ${watched.map((w) => `${w.events} events in ${w.ms} ms`).join(', ')}`)
})

test('a running task whose worker gets kill -9 is FAILED within a second', async (t) => {
  const client = await freshA2aClient(url, 1_000)
  const task = asTask(await client.sendMessage(send('run')))
  const execute = await machine.waitFor((e) => e.event === 'execute' && e.taskId === task.id, 'the execution')
  const killedAt = Date.now()
  process.kill(execute.pid, 'SIGKILL')
  // A poll every 50 ms, none waiting for the last: a connection the primary was handing to the
  // dying worker is never answered, and must not hold the next look back.
  let failedAt: number | null = null
  const polls: Array<Promise<void>> = []
  while (failedAt === null && Date.now() - killedAt < 3_000) {
    polls.push(
      client.getTask({ tenant: '', id: task.id, historyLength: undefined }).then(
        (read) => {
          if (read.status?.state === TaskState.TASK_STATE_FAILED) failedAt ??= Date.now()
        },
        () => undefined,
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await Promise.all(polls)
  assert.ok(failedAt !== null, 'the task read FAILED')
  const ms = failedAt - killedAt
  t.diagnostic(`kill -9: the task read FAILED ${ms} ms after the kill`)
  assert.ok(ms < 1_000, `FAILED after ${ms} ms`)
  // The replacement is up before the reload below begins.
  await machine.waitFor((e) => e.event === 'cluster ready' && e.t > killedAt, 'the replacement ready', 60_000)
})

test('ten finished tasks outlive a rolling reload that replaced both workers', async (t) => {
  const client = await freshA2aClient(url, 5_000)
  const ids: string[] = []
  for (let i = 0; i < 10; i++) ids.push(asTask(await client.sendMessage(send('quick'))).id)
  const before = liveWorkerPids(machine)
  machine.child.kill('SIGHUP')
  await machine.waitFor((e) => e.event === 'cluster reload' && e.step === 'done', 'the reload done', 60_000)
  const after = liveWorkerPids(machine)
  assert.equal(after.length, 2)
  assert.deepEqual(
    after.filter((pid) => before.includes(pid)),
    [],
    'both workers were replaced',
  )
  let found = 0
  for (const id of ids) {
    const task = await client.getTask({ tenant: '', id, historyLength: undefined })
    if (task.status?.state === TaskState.TASK_STATE_COMPLETED) found++
  }
  t.diagnostic(`after the reload: ${found} of ${ids.length} finished tasks found`)
  assert.equal(found, ids.length)
})

test('SIGTERM to the primary stops the machine cleanly; the primary hook ran once', async () => {
  machine.child.kill('SIGTERM')
  assert.equal(await machine.exit, 0)
  assert.equal(machine.count('primary startup'), 1)
  assert.equal(machine.count('primary shutdown'), 1)
})
