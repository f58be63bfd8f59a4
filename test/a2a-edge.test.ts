// A2A at the edge, as JSON-RPC 2.0 and the A2A specification say, where @a2a-js/sdk 1.3 says
// otherwise: Invalid Request for what is not a request object, REQUIRED fields and the types
// of ids checked, historyLength and page tokens refused when wrong, an inclusive
// statusTimestampAfter, lists without history and cut by bytes, a second cancel refused, a
// cancel that never hangs, and pipelined streams cancelled when their client leaves.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { TaskState, type Task } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server'
import { BoundedTaskStore, a2aApp, type A2aAppOptions } from '../src/a2a/app.ts'
import { mount, router } from '../src/index.ts'
import { InvalidArgumentError } from '../src/protocol/errors.ts'
import { StepsExecutor, sendParams, textPart } from './fixtures/a2a-executor.ts'
import { host } from './fixtures/agent-host.ts'

const card = { name: 'Edge', description: 'Answers as the specification says' }
const headers = { 'content-type': 'application/json', 'a2a-version': '1.0' }

interface Listed {
  id: string
  history?: unknown[]
}

/** The JSON-RPC answers these tests read; a field a given answer lacks fails its assertion. */
interface Answer {
  id?: unknown
  result: { task: { id: string; status: { timestamp: string } }; tasks: Listed[]; nextPageToken: string }
  error?: { code: number; message: string }
}

async function hostA2a(options: Partial<A2aAppOptions> = {}) {
  const executor = options.executor ?? new StepsExecutor(0, 1)
  const hosted = await host(router([mount('/', a2aApp({ card, executor, ...options }))]))
  const call = async (body: string) => {
    const response = await fetch(`${hosted.url}/`, { method: 'POST', headers, body })
    const text = await response.text()
    return {
      status: response.status,
      text,
      json: JSON.parse(text) as Answer,
    }
  }
  const rpc = (method: string, params: unknown, id: unknown = 1) => call(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
  return { ...hosted, executor, call, rpc }
}

const message = (text: string, extra: Record<string, unknown> = {}) => ({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }], ...extra },
})

test('JSON that is not a JSON-RPC 2.0 request object gets -32600 Invalid Request; a body that is not JSON gets -32700; never parser text', async () => {
  const a2a = await hostA2a()
  try {
    for (const body of ['"x"', '42', '[]', '{"jsonrpc":"1.0","id":1,"method":"GetTask","params":{"id":"t"}}', '{"jsonrpc":"2.0","id":2}']) {
      const answer = await a2a.call(body)
      assert.equal(answer.json.error?.code, -32600, `${body}: ${answer.text}`)
      assert.match(answer.json.error!.message, /^Invalid Request/)
      assert.doesNotMatch(answer.text, /Unexpected|token|position/i)
    }
    const withId = await a2a.call('{"jsonrpc":"1.0","id":7,"method":"GetTask"}')
    assert.equal(withId.json.id, null)
    const notJson = await a2a.call('x')
    assert.equal(notJson.json.error?.code, -32700)
    assert.doesNotMatch(notJson.text, /Unexpected|token|position/i)
  } finally {
    await a2a.close()
  }
})

test('REQUIRED message fields and the types of ids are checked: -32602 naming the field, and nothing reaches the agent', async () => {
  const executor = new StepsExecutor(0, 1)
  const a2a = await hostA2a({ executor })
  try {
    const cases: Array<[unknown, RegExp]> = [
      [{ message: { messageId: 'a', role: 'ROLE_USER', parts: [] } }, /message\.parts/],
      [{ message: { messageId: 'b', parts: [{ text: 'hi' }] } }, /message\.role/],
      [{ message: { messageId: 'c', role: 'ROLE_USER', parts: 'invalid' } }, /message\.parts/],
      [{ message: { messageId: 'd', role: 'ROLE_USER', parts: [{}] } }, /message\.parts\[0\]/],
      [message('hi', { contextId: { a: 1 } }), /message\.contextId/],
      [message('hi', { taskId: ['t'] }), /message\.taskId/],
      [{ message: { messageId: { id: 1 }, role: 'ROLE_USER', parts: [{ text: 'x' }] } }, /message\.messageId/],
      [{}, /message is required/],
    ]
    for (const [params, field] of cases) {
      for (const method of ['SendMessage', 'SendStreamingMessage']) {
        const answer = await a2a.rpc(method, params)
        assert.equal(answer.json.error?.code, -32602, `${method} ${JSON.stringify(params)}: ${answer.text}`)
        assert.match(answer.json.error!.message, field)
      }
    }
    for (const method of ['GetTask', 'CancelTask']) {
      const answer = await a2a.rpc(method, { id: { not: 'a string' } })
      assert.equal(answer.json.error?.code, -32602)
      assert.doesNotMatch(answer.text, /object Object/)
    }
    assert.equal(executor.steps, 0)
  } finally {
    await a2a.close()
  }
})

test('a message larger than maxMessageBytes gets -32602 naming the limit', async () => {
  const a2a = await hostA2a({ maxMessageBytes: 10_000 })
  try {
    const answer = await a2a.rpc('SendMessage', message('x'.repeat(20_000)))
    assert.equal(answer.json.error?.code, -32602)
    assert.match(answer.json.error!.message, /maxMessageBytes/)
    const small = await a2a.rpc('SendMessage', message('echo fits'))
    assert.ok(small.json.result, small.text)
  } finally {
    await a2a.close()
  }
})

test('historyLength below zero and a page token this agent never gave get -32602', async () => {
  const a2a = await hostA2a()
  try {
    const created = await a2a.rpc('SendMessage', message('one step'))
    const id = created.json.result.task.id as string
    const refusals = [
      await a2a.rpc('GetTask', { id, historyLength: -1 }),
      await a2a.rpc('ListTasks', { historyLength: -1 }),
      await a2a.rpc('SendMessage', { ...message('one step'), configuration: { historyLength: -2 } }),
      await a2a.rpc('ListTasks', { pageToken: 'garbage!!' }),
      await a2a.rpc('ListTasks', { pageToken: Buffer.from('x|y').toString('base64url') }),
    ]
    for (const answer of refusals) assert.equal(answer.json.error?.code, -32602, answer.text)
    assert.match(refusals[3]!.json.error!.message, /pageToken/)
  } finally {
    await a2a.close()
  }
})

test('statusTimestampAfter is inclusive: a task whose status time equals it is listed', async () => {
  const a2a = await hostA2a()
  try {
    const created = await a2a.rpc('SendMessage', message('one step'))
    const task = created.json.result.task as { id: string; status: { timestamp: string } }
    const listed = await a2a.rpc('ListTasks', { statusTimestampAfter: task.status.timestamp })
    assert.deepEqual(
      listed.json.result.tasks.map((t) => t.id),
      [task.id],
    )
  } finally {
    await a2a.close()
  }
})

test('ListTasks sends no history unless historyLength asks, and cuts a page at maxPageBytes with a token that reaches every task', async () => {
  const a2a = await hostA2a({ maxPageBytes: 300_000 })
  try {
    for (let i = 0; i < 12; i++) assert.ok((await a2a.rpc('SendMessage', message(`task ${i} ${'y'.repeat(100_000)}`))).json.result)
    const plain = await a2a.rpc('ListTasks', { pageSize: 100 })
    assert.equal(plain.json.result.tasks.length, 12)
    for (const task of plain.json.result.tasks) assert.deepEqual(task.history ?? [], [])
    console.log(`ListTasks {pageSize: 100} over 12 tasks of 100 kB: ${plain.text.length} bytes`)
    assert.ok(plain.text.length < 20_000, `${plain.text.length} bytes`)

    const seen = new Set<string>()
    let pages = 0
    let token = ''
    do {
      const page = await a2a.rpc('ListTasks', { pageSize: 100, historyLength: 1, pageToken: token })
      assert.ok(page.text.length < 450_000, `a page of ${page.text.length} bytes`)
      for (const task of page.json.result.tasks) {
        assert.equal(task.history?.length, 1)
        seen.add(task.id)
      }
      token = page.json.result.nextPageToken
      pages++
    } while (token !== '' && pages < 20)
    assert.equal(seen.size, 12)
    assert.ok(pages >= 4, `${pages} pages`)
  } finally {
    await a2a.close()
  }
})

test('a second CancelTask on a canceled task answers TaskNotCancelable (-32002)', async () => {
  const a2a = await hostA2a({ executor: new StepsExecutor(30, 200) })
  try {
    const started = await a2a.rpc('SendMessage', { ...message('long'), configuration: { returnImmediately: true } })
    const id = started.json.result.task.id as string
    const client = await new ClientFactory().createFromUrl(`${a2a.url}/`)
    const first = await client.cancelTask({ tenant: '', id, metadata: {} })
    assert.equal(first.status?.state, TaskState.TASK_STATE_CANCELED)
    const second = await a2a.rpc('CancelTask', { id })
    assert.equal(second.json.error?.code, -32002, second.text)
  } finally {
    await a2a.close()
  }
})

/** Parks each task in INPUT_REQUIRED; cancelTask only notes the wish, as the example agent did. */
class ParkingExecutor implements AgentExecutor {
  readonly wishes: string[] = []
  cancelTask = async (taskId: string): Promise<void> => {
    this.wishes.push(taskId)
  }
  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context
    const status = (state: TaskState) => ({ state, message: undefined, timestamp: new Date().toISOString() })
    bus.publish(
      AgentEvent.task({ id: taskId, contextId, status: status(TaskState.TASK_STATE_SUBMITTED), artifacts: [], history: [], metadata: {} }),
    )
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_INPUT_REQUIRED), metadata: {} }))
  }
}

test('CancelTask of a task parked in INPUT_REQUIRED, whose executor only sets a flag, answers CANCELED after the default cancelTimeoutMs, well within 5 s', async () => {
  const executor = new ParkingExecutor()
  const a2a = await hostA2a({ executor })
  try {
    const client = await new ClientFactory().createFromUrl(`${a2a.url}/`)
    const parked = (await client.sendMessage(sendParams('park'))) as Task
    assert.equal(parked.status?.state, TaskState.TASK_STATE_INPUT_REQUIRED)
    const started = Date.now()
    const canceled = await Promise.race([
      client.cancelTask({ tenant: '', id: parked.id, metadata: {} }),
      sleep(8_000).then(() => assert.fail('CancelTask hung')),
    ])
    const ms = Date.now() - started
    console.log(`CancelTask of a parked task answered in ${ms} ms`)
    assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED)
    assert.deepEqual(executor.wishes, [parked.id])
    assert.ok(ms >= 2_900 && ms < 5_000, `${ms} ms`)
    assert.equal((await client.getTask({ tenant: '', id: parked.id })).status?.state, TaskState.TASK_STATE_CANCELED)
  } finally {
    await a2a.close()
  }
})

test('a follow-up message that would take its task past maxTaskBytes gets -32602 naming the limit', async () => {
  const a2a = await hostA2a({ executor: new ParkingExecutor(), maxTaskBytes: 50_000 })
  try {
    const parked = await a2a.rpc('SendMessage', message(`first ${'p'.repeat(30_000)}`))
    const taskId = parked.json.result.task.id
    const small = await a2a.rpc('SendMessage', message('a few more words', { taskId }))
    assert.ok(small.json.result, small.text)
    const large = await a2a.rpc('SendStreamingMessage', message(`second ${'q'.repeat(30_000)}`, { taskId }))
    assert.equal(large.json.error?.code, -32602, large.text)
    assert.match(large.json.error!.message, /maxTaskBytes/)
  } finally {
    await a2a.close()
  }
})

/** Works until released, ignoring cancel; then writes an artifact and COMPLETED. */
class StubbornExecutor implements AgentExecutor {
  release!: () => void
  readonly released = new Promise<void>((resolve) => (this.release = resolve))
  finished = false
  cancelTask = async (): Promise<void> => {}
  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context
    const status = (state: TaskState) => ({ state, message: undefined, timestamp: new Date().toISOString() })
    bus.publish(
      AgentEvent.task({ id: taskId, contextId, status: status(TaskState.TASK_STATE_WORKING), artifacts: [], history: [], metadata: {} }),
    )
    await this.released
    const artifact = { artifactId: 'late', name: 'late', description: '', parts: [textPart('late')], metadata: {}, extensions: [] }
    bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, artifact, append: false, lastChunk: true, metadata: {} }))
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_COMPLETED), metadata: {} }))
    this.finished = true
  }
}

test('past cancelTimeoutMs the task is CANCELED by the host, and what the executor publishes afterwards is dropped', async () => {
  const executor = new StubbornExecutor()
  const a2a = await hostA2a({ executor, cancelTimeoutMs: 300 })
  try {
    const client = await new ClientFactory().createFromUrl(`${a2a.url}/`)
    const started = await a2a.rpc('SendMessage', { ...message('stubborn'), configuration: { returnImmediately: true } })
    const id = started.json.result.task.id as string
    const canceled = await client.cancelTask({ tenant: '', id, metadata: {} })
    assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED)
    executor.release()
    while (!executor.finished) await sleep(5)
    await sleep(50)
    const later = await client.getTask({ tenant: '', id })
    assert.equal(later.status?.state, TaskState.TASK_STATE_CANCELED)
    assert.deepEqual(later.artifacts, [])
  } finally {
    await a2a.close()
  }
})

test('two SendStreamingMessage requests pipelined on one socket are both cancelled when their client leaves', async () => {
  const executor = new StepsExecutor(20, 500)
  const a2a = await hostA2a({ executor })
  try {
    const request = (id: number) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'SendStreamingMessage', params: message('long') })
      return `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nA2A-Version: 1.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    }
    const socket = connect(a2a.port, '127.0.0.1')
    await once(socket, 'connect')
    socket.on('data', () => {})
    socket.write(request(1) + request(2))
    const deadline = Date.now() + 5_000
    while (executor.steps < 4 && Date.now() < deadline) await sleep(10)
    socket.destroy()
    while (executor.outcomes.length < 2 && Date.now() < deadline) await sleep(10)
    assert.deepEqual(executor.outcomes, ['cancelled', 'cancelled'])
    const steps = executor.steps
    await sleep(200)
    assert.equal(executor.steps, steps, 'no step runs after both were cancelled')
  } finally {
    await a2a.close()
  }
})

test('the new options are checked when the app is built: wrong values and unknown names are refused', () => {
  const executor = new StepsExecutor()
  for (const [name, value] of [
    ['maxStoreBytes', 0],
    ['maxPageBytes', -1],
    ['maxMessageBytes', 1.5],
    ['maxTaskBytes', null],
    ['cancelTimeoutMs', '3s'],
  ] as const) {
    assert.throws(
      () => a2aApp({ card, executor, [name]: value }),
      (error: unknown) => {
        return error instanceof InvalidArgumentError && error.message.includes(name)
      },
    )
  }
  assert.throws(() => a2aApp({ card, executor, maxStoreByte: 1 } as A2aAppOptions), /did you mean 'maxStoreBytes'/)
  assert.throws(() => new BoundedTaskStore({ maxTasks: 1, ttlMs: 1, maxBytes: 0 }), /maxBytes/)
  assert.throws(() => new BoundedTaskStore({ maxTasks: 1, ttlMs: 1, maxPageByte: 1 } as never), /did you mean 'maxPageBytes'/)
})

test('the default store evicts the oldest finished tasks past maxStoreBytes', async () => {
  const a2a = await hostA2a({ maxStoreBytes: 250_000 })
  try {
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await a2a.rpc('SendMessage', message(`task ${i} ${'z'.repeat(100_000)}`))).json.result.task.id)
    const listed = await a2a.rpc('ListTasks', { pageSize: 100 })
    const kept = listed.json.result.tasks.map((t) => t.id)
    assert.deepEqual(kept, ids.slice(-2).reverse())
    assert.equal((await a2a.rpc('GetTask', { id: ids[0] })).json.error?.code, -32001)
  } finally {
    await a2a.close()
  }
})
