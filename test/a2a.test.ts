// tsgi/a2a against the A2A SDK's own client (ClientFactory) over real sockets.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { TaskState, type AgentCard, type Message, type Task } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import { a2aApp, type A2aAppOptions } from '../src/a2a/app.ts'
import { mount, router } from '../src/index.ts'
import { StepsExecutor, sendParams, textOf } from './fixtures/a2a-executor.ts'
import { host } from './fixtures/agent-host.ts'

const card = { name: 'Test agent', description: 'Echoes, and runs long tasks in steps' }

async function hostA2a(options: Partial<A2aAppOptions> = {}, prefix = '/a2a') {
  const executor = (options.executor as StepsExecutor | undefined) ?? new StepsExecutor()
  const a2a = a2aApp({ card, executor, ...options })
  const hosted = await host(router([mount(prefix, a2a)]))
  const base = `${hosted.url}${prefix === '/' ? '' : prefix}/`
  return { ...hosted, a2a, executor, base }
}

async function until(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

test('the SDK client resolves the card, whose JSON-RPC URL is the mount root on the request Host', async () => {
  const { base, close } = await hostA2a()
  try {
    const client = await new ClientFactory().createFromUrl(base)
    const resolved = await client.getAgentCard()
    assert.equal(resolved.name, 'Test agent')
    assert.equal(resolved.capabilities?.streaming, true)
    assert.deepEqual(
      resolved.supportedInterfaces.map((i) => [i.protocolBinding, i.url, i.protocolVersion]),
      [['JSONRPC', base, '1.0']],
    )
    const alias = (await (await fetch(`${base}.well-known/agent.json`)).json()) as AgentCard
    assert.equal(alias.supportedInterfaces[0]?.url, base)
  } finally {
    await close()
  }
})

test('publicUrl, as a string or a function of the request, is the URL the card gives', async () => {
  const fixed = await hostA2a({ publicUrl: 'https://agents.example/echo/' })
  try {
    const card = (await (await fetch(`${fixed.base}.well-known/agent-card.json`)).json()) as AgentCard
    assert.equal(card.supportedInterfaces[0]?.url, 'https://agents.example/echo/')
  } finally {
    await fixed.close()
  }
  const computed = await hostA2a({ publicUrl: (scope) => `https://proxy.example${scope.rootPath}/` })
  try {
    const card = (await (await fetch(`${computed.base}.well-known/agent-card.json`)).json()) as AgentCard
    assert.equal(card.supportedInterfaces[0]?.url, 'https://proxy.example/a2a/')
  } finally {
    await computed.close()
  }
})

test('SendMessage answers with the agent message', async () => {
  const { base, close } = await hostA2a()
  try {
    const client = await new ClientFactory().createFromUrl(base)
    const reply = (await client.sendMessage(sendParams('echo hello'))) as Message
    assert.equal(textOf(reply), 'you said: hello')
  } finally {
    await close()
  }
})

test('SendStreamingMessage streams task, status and artifact events as the agent produces them', async () => {
  const { base, executor, close } = await hostA2a()
  try {
    const client = await new ClientFactory().createFromUrl(base)
    const kinds: string[] = []
    let stepsAtFirstArtifact = -1
    for await (const event of client.sendMessageStream(sendParams('work'))) {
      const payload = event.payload!
      kinds.push(payload.$case === 'statusUpdate' ? `status:${TaskState[payload.value.status!.state]}` : payload.$case)
      if (payload.$case === 'artifactUpdate' && stepsAtFirstArtifact === -1) stepsAtFirstArtifact = executor.steps
    }
    assert.deepEqual(kinds, ['task', 'status:TASK_STATE_WORKING', ...Array(8).fill('artifactUpdate'), 'status:TASK_STATE_COMPLETED'])
    // The first artifact arrived while the agent was still working: streamed, not buffered.
    assert.ok(stepsAtFirstArtifact < executor.total, `first artifact seen after ${stepsAtFirstArtifact} steps`)
  } finally {
    await close()
  }
})

test('CancelTask ends a running task, and its stream ends with the CANCELED status', async () => {
  const executor = new StepsExecutor(25, 40)
  const { base, a2a, close } = await hostA2a({ executor })
  try {
    const client = await new ClientFactory().createFromUrl(base)
    let taskId = ''
    let cancelled: Task | undefined
    const last: string[] = []
    for await (const event of client.sendMessageStream(sendParams('long'))) {
      const payload = event.payload!
      if (payload.$case === 'task') taskId = payload.value.id
      if (payload.$case === 'artifactUpdate' && cancelled === undefined)
        cancelled = await client.cancelTask({ tenant: '', id: taskId, metadata: {} })
      if (payload.$case === 'statusUpdate') last.push(TaskState[payload.value.status!.state])
    }
    assert.equal(cancelled?.status?.state, TaskState.TASK_STATE_CANCELED)
    assert.equal(last.at(-1), 'TASK_STATE_CANCELED')
    assert.deepEqual(executor.outcomes, ['cancelled'])
    assert.ok(executor.steps < 40)
    await until(() => a2a.runningTasks === 0, 'the execution to be off the books')
  } finally {
    await close()
  }
})

test('a client that disconnects from a stream stops its work: the task is cancelled and no more steps run', async () => {
  const executor = new StepsExecutor(20, 100)
  const { base, a2a, close } = await hostA2a({ executor })
  try {
    const client = await new ClientFactory().createFromUrl(base)
    const controller = new AbortController()
    let taskId = ''
    await assert.rejects(async () => {
      for await (const event of client.sendMessageStream(sendParams('long'), { signal: controller.signal })) {
        if (event.payload?.$case === 'task') taskId = event.payload.value.id
        if (event.payload?.$case === 'artifactUpdate') controller.abort()
      }
    })
    await until(() => executor.outcomes.length === 1, 'the execution to stop')
    assert.deepEqual(executor.outcomes, ['cancelled'])
    assert.deepEqual(executor.cancelRequests, [taskId])
    const stepsAtStop = executor.steps
    await sleep(100)
    assert.equal(executor.steps, stepsAtStop, 'steps kept running after the client left')
    assert.ok(stepsAtStop < 100)
    assert.equal(a2a.runningTasks, 0)
    const task = await client.getTask({ tenant: '', id: taskId, historyLength: undefined })
    assert.equal(task.status?.state, TaskState.TASK_STATE_CANCELED)
  } finally {
    await close()
  }
})

test('shutdown cancels running tasks and ends open streams; a request after it gets 503', async () => {
  const executor = new StepsExecutor(20, 500)
  const { base, shutdown, close } = await hostA2a({ executor })
  try {
    const client = await new ClientFactory().createFromUrl(base)
    const seen: string[] = []
    const streaming = (async () => {
      for await (const event of client.sendMessageStream(sendParams('long'))) {
        const payload = event.payload!
        seen.push(payload.$case === 'statusUpdate' ? TaskState[payload.value.status!.state] : payload.$case)
      }
    })()
    await until(() => seen.includes('artifactUpdate'), 'the stream to carry work')
    const started = Date.now()
    await shutdown()
    await streaming
    assert.ok(Date.now() - started < 1000)
    assert.equal(seen.at(-1), 'TASK_STATE_CANCELED')
    assert.deepEqual(executor.outcomes, ['cancelled'])
    const late = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(late.status, 503)
    await late.text()
  } finally {
    await close()
  }
})

test('shutdown reports tasks that ignore cancellation, after ending their streams', async () => {
  const stubborn = new StepsExecutor(20, 30)
  stubborn.cancelTask = async () => {}
  const { base, shutdown, close } = await hostA2a({ executor: stubborn, shutdownGraceMs: 100 })
  try {
    const client = await new ClientFactory().createFromUrl(base)
    let events = 0
    const streaming = (async () => {
      for await (const _ of client.sendMessageStream(sendParams('long'))) events++
    })()
    await until(() => events > 2, 'the stream to start')
    await assert.rejects(shutdown(), /still running 100 ms after cancel/)
    await streaming
  } finally {
    await close().catch(() => undefined)
  }
})

test('malformed requests get JSON-RPC errors, and other paths and methods plain refusals', async () => {
  const { base, close } = await hostA2a({ maxBodyBytes: 1024 })
  try {
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      fetch(base, { method: 'POST', headers, body })
    const errorOf = async (response: Response) => ((await response.json()) as { error: { code: number; message: string } }).error
    const badJson = await post('{oops')
    assert.equal(badJson.status, 200)
    assert.equal((await errorOf(badJson)).code, -32700)
    const badType = await post('{}', { 'content-type': 'text/plain' })
    assert.equal(badType.status, 415)
    assert.match((await errorOf(badType)).message, /Unsupported Media Type/)
    const noType = await fetch(base, { method: 'POST', body: new Blob(['{}']) })
    assert.equal(noType.status, 415)
    await noType.text()
    const tooBig = await post('x'.repeat(2000))
    assert.equal(tooBig.status, 413)
    await tooBig.text()
    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'NoSuchMethod', params: {} }), {
      'content-type': 'application/json',
      'a2a-version': '1.0',
    })
    assert.equal((await errorOf(unknown)).code, -32601)
    const oldVersion = await post(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'GetTask', params: { id: 'x' } }))
    assert.match((await errorOf(oldVersion)).message, /version '0.3' is not supported/)
    const get = await fetch(base)
    assert.equal(get.status, 405)
    assert.equal(get.headers.get('allow'), 'POST')
    await get.text()
    const nowhere = await fetch(`${base}elsewhere`)
    assert.equal(nowhere.status, 404)
    await nowhere.text()
    const postCard = await fetch(`${base}.well-known/agent-card.json`, { method: 'POST' })
    assert.equal(postCard.status, 405)
    await postCard.text()
  } finally {
    await close()
  }
})

test('a2aApp refuses bad options when it is built, naming what is wrong', () => {
  const executor = new StepsExecutor()
  assert.throws(() => a2aApp(null as never), { code: 'TSGI_ERR_INVALID_ARGUMENT' })
  assert.throws(() => a2aApp({ card: {} as never, executor }), /card must be an object with at least a name/)
  assert.throws(() => a2aApp({ card, executor: {} as never }), /executor must be an AgentExecutor/)
  assert.throws(() => a2aApp({ card, executor, publicUrl: 5 as never }), /publicUrl must be a URL string or a function/)
})
