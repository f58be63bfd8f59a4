// agent({ workers: 2 }) as a real machine (a primary and two workers), every request on a fresh
// TCP connection, so consecutive requests land on different workers. MCP: sessions answer from
// every worker (relayed to the worker that owns them), sampling included. A2A: tasks are seen
// from every worker, cancels and subscriptions reach the worker running the task, a task whose
// worker was killed is FAILED at once, finished tasks outlive a rolling reload. One machine for
// the whole file, the tests in order: booting two workers that load both SDKs is the slow part.

import assert from 'node:assert/strict'
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
