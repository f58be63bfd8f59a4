// The example agent (examples/agent.ts) under message floods, as a real process with a 256 MB
// heap: 600 SendMessage calls of 1 MB each, 4 at a time, every one leaving a finished task,
// then 20 sockets that ask for ListTasks with history and never read. The default store's
// byte budget keeps the heap flat; without it the process dies of heap exhaustion.

import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { ClientFactory } from '@a2a-js/sdk/client'
import { sendParams } from './fixtures/a2a-executor.ts'
import { inParallel } from './support/memory-child.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const probe = fileURLToPath(new URL('./fixtures/heap-probe.ts', import.meta.url))
const MB = 1024 * 1024
const a2aHeaders = { 'content-type': 'application/json', 'a2a-version': '1.0' }

async function startExample() {
  // Without coverage collection: under c8 it would slow this load several times over.
  const { NODE_V8_COVERAGE: _coverage, ...inherited } = process.env
  const child = fork('examples/agent.ts', [], {
    cwd: root,
    execArgv: ['--expose-gc', '--max-old-space-size=256', '--import', 'tsx', '--import', probe],
    // One tick per "watch", every 5 ms: each message leaves a finished task quickly.
    env: { ...inherited, PORT: '0', TICK_MS: '5', WATCH_TICKS: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  let exit: number | string | null = null
  child.once('exit', (code, signal) => (exit = code ?? signal))
  const deadline = Date.now() + 20_000
  let url = ''
  for (;;) {
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? ''
    if (url !== '') break
    if (exit !== null || Date.now() > deadline) assert.fail(`the example did not start:\n${output}`)
    await sleep(20)
  }
  return {
    url,
    port: Number(new URL(url).port),
    output: () => output,
    exited: () => exit,
    async measure(): Promise<{ heap: number; rss: number; cpuMs: number }> {
      child.send('measure')
      const [answer] = (await once(child, 'message')) as [{ heap: number; rss: number; cpuMs: number }]
      return answer
    },
    async stop() {
      if (exit !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await once(child, 'exit').catch(() => undefined)
      clearTimeout(timer)
    },
  }
}

const rpc = (id: number, method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, params })
const megabyteMessage = (i: number) => ({
  // The answer leaves the history out: the load is the upload, not 600 MB of echo.
  configuration: { historyLength: 0 },
  message: { messageId: `m-${i}`, role: 'ROLE_USER', parts: [{ text: `watch ${String(i).padStart(6, '0')} ${'x'.repeat(1_000_000)}` }] },
})

/** A ListTasks POST on a raw socket whose answer is never read. */
function neverReading(port: number, id: number): Promise<Socket> {
  const body = rpc(id, 'ListTasks', { pageSize: 100, historyLength: 10, includeArtifacts: true })
  const socket = connect(port, '127.0.0.1')
  socket.pause()
  socket.write(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nA2A-Version: 1.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  return once(socket, 'connect').then(() => socket)
}

test('the example agent at --max-old-space-size=256 survives 600 × 1 MB messages and 20 ListTasks that never read; heap and RSS stay bounded', async () => {
  const agent = await startExample()
  const sockets: Socket[] = []
  try {
    // Each answer must be a completed task: a refusal would be a JSON-RPC error with status 200.
    const outcomes = new Map<string, number>()
    const started = Date.now()
    await inParallel(600, 4, async (i) => {
      const answer = await fetch(`${agent.url}/`, { method: 'POST', headers: a2aHeaders, body: rpc(i, 'SendMessage', megabyteMessage(i)) })
        .then((response) => response.json() as Promise<{ result?: { task?: { status?: { state?: string } } } }>)
        .catch(() => ({}) as { result?: undefined })
      const outcome = answer.result?.task?.status?.state ?? 'no task'
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    })
    const loadMs = Date.now() - started
    assert.equal(agent.exited(), null, `the agent died:\n${agent.output().slice(-2000)}`)
    assert.deepEqual([...outcomes], [['TASK_STATE_COMPLETED', 600]])
    const afterMessages = await agent.measure()

    for (let i = 0; i < 20; i++) sockets.push(await neverReading(agent.port, 1000 + i))
    await sleep(1_000)
    assert.equal(agent.exited(), null, `the agent died:\n${agent.output().slice(-2000)}`)
    const afterLists = await agent.measure()
    console.log(
      `example agent after 600 × 1 MB tasks (${loadMs} ms, agent CPU ${afterMessages.cpuMs} ms): heap ${(afterMessages.heap / MB).toFixed(1)} MB, RSS ${(afterMessages.rss / MB).toFixed(1)} MB;` +
        ` with 20 unread ListTasks: heap ${(afterLists.heap / MB).toFixed(1)} MB, RSS ${(afterLists.rss / MB).toFixed(1)} MB`,
    )
    // The store keeps 64 MiB of tasks by default; the rest is the process itself.
    assert.ok(afterMessages.heap < 150 * MB, `heap after GC ${(afterMessages.heap / MB).toFixed(1)} MB`)
    assert.ok(afterLists.heap < 170 * MB, `heap after GC with unread lists ${(afterLists.heap / MB).toFixed(1)} MB`)
    assert.ok(afterLists.rss < 600 * MB, `RSS ${(afterLists.rss / MB).toFixed(1)} MB`)

    // Still serving, to the SDK's own client: the newest task is there, its message whole.
    for (const socket of sockets) socket.destroy()
    const client = await new ClientFactory().createFromUrl(`${agent.url}/`)
    const answer = await client.sendMessage(sendParams('how many ticks?'))
    assert.ok('parts' in answer, 'a message comes back')
    const newest = await fetch(`${agent.url}/`, { method: 'POST', headers: a2aHeaders, body: rpc(2, 'ListTasks', { pageSize: 1 }) })
    const { result } = (await newest.json()) as { result: { tasks: Array<{ id: string; history?: unknown[] }> } }
    assert.equal(result.tasks.length, 1)
    assert.deepEqual(result.tasks[0]!.history ?? [], [], 'no history unless asked')
    const task = await client.getTask({ tenant: '', id: result.tasks[0]!.id, historyLength: 1 })
    assert.equal(task.history[0]?.parts[0]?.content?.$case, 'text')
  } finally {
    for (const socket of sockets) socket.destroy()
    await agent.stop()
  }
})
