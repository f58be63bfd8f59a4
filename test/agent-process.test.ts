// The main job (examples/agent.ts, MCP on the v2 SDK), its v1 twin (examples/agent-v1.ts) and the stdio example as real processes, driven by the real
// SDK clients and real signals.

import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { TaskState } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { sendParams } from './fixtures/a2a-executor.ts'
import { legacyClient, modernClient } from './support/mcp-clients.ts'
import { freePort } from './support/observe.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

interface Running {
  child: ChildProcess
  url: string
  output: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
}

async function start(script: string, env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }))
  // Generous: an example loads both MCP SDKs and the A2A SDK, on a machine that may be busy.
  const deadline = Date.now() + 30_000
  let url: string | undefined
  while (url === undefined) {
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
    if (url !== undefined) break
    if (child.exitCode !== null || Date.now() > deadline) {
      // A child left running would hold this test file's process open.
      child.kill('SIGKILL')
      assert.fail(`the example did not start:\n${output}`)
    }
    await sleep(20)
  }
  return { child, url, output: () => output, exit }
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1
}

test('the main job: with an MCP stream and an A2A stream open, SIGTERM ends both, stops the scheduler once, exits 0 within 1 s', async () => {
  const agent = await start('examples/agent.ts', { PORT: '0', TICK_MS: '40', WATCH_TICKS: '100000' })
  try {
    // The real MCP clients, a 2026-07-28 one and a 2025-era one: both call the tool that reads
    // the scheduler's state (the v2 SDK serves the 2025 handshake statelessly).
    const mcp = await modernClient(`${agent.url}/mcp`)
    assert.equal(mcp.getProtocolEra(), 'modern')
    const ticks = await mcp.callTool({ name: 'scheduler_ticks', arguments: {} })
    assert.match((ticks.content as Array<{ text: string }>)[0]!.text, /^\d+$/)
    const legacy = await legacyClient(`${agent.url}/mcp`)
    assert.match(((await legacy.callTool({ name: 'scheduler_ticks' })).content as Array<{ text: string }>)[0]!.text, /^\d+$/)
    await legacy.close()

    // An MCP stream we can watch end: a subscriptions/listen stream.
    const subscription = await mcp.listen({ toolsListChanged: true })
    const mcpStreamEnded = subscription.closed.then(() => Date.now())

    // A real A2A client with a stream that would run for minutes.
    const a2a = await new ClientFactory().createFromUrl(`${agent.url}/`)
    const states: string[] = []
    const a2aStreamEnded = (async () => {
      for await (const event of a2a.sendMessageStream(sendParams('watch the ticks'))) {
        const payload = event.payload
        if (payload?.$case === 'statusUpdate') states.push(TaskState[payload.value.status!.state]!)
      }
      return Date.now()
    })()
    // Bounded, and ended by the stream's own end: a stream that failed or closed before any
    // update must fail the test with its reason, not leave it polling forever.
    let streamOver = false
    a2aStreamEnded.then(
      () => (streamOver = true),
      () => (streamOver = true),
    )
    for (const deadline = Date.now() + 15_000; !states.includes('TASK_STATE_WORKING'); await sleep(10)) {
      if (streamOver) await a2aStreamEnded.then(() => assert.fail(`the A2A stream ended before it worked; states: ${states.join(', ')}`))
      assert.ok(Date.now() < deadline, `no TASK_STATE_WORKING within 15 s; states: ${states.join(', ')}`)
    }

    const signalled = Date.now()
    agent.child.kill('SIGTERM')
    const exit = await agent.exit
    assert.equal(exit.code, 0, agent.output())
    assert.ok(exit.at - signalled < 1000, `exit took ${exit.at - signalled} ms`)
    assert.ok((await mcpStreamEnded) - signalled < 1000)
    assert.ok((await a2aStreamEnded) - signalled < 1000)
    assert.equal(states.at(-1), 'TASK_STATE_CANCELED')
    const output = agent.output()
    assert.equal(count(output, 'scheduler started'), 1, output)
    assert.equal(count(output, 'scheduler stopped after'), 1, output)
    await mcp.close()
  } finally {
    if (agent.child.exitCode === null) agent.child.kill('SIGKILL')
  }
})

test('the v1 example serves MCP with sessions: a session id, a GET stream that SIGTERM ends, the scheduler stopped once, exit 0', async () => {
  const agent = await start('examples/agent-v1.ts', { PORT: '0', TICK_MS: '40' })
  try {
    const transport = new StreamableHTTPClientTransport(new URL(`${agent.url}/mcp`))
    const mcp = new Client({ name: 'test', version: '1.0.0' })
    await mcp.connect(transport)
    assert.ok(transport.sessionId, 'the v1 app gave the client a session')
    const ticks = await mcp.callTool({ name: 'scheduler_ticks' })
    assert.match((ticks.content as Array<{ text: string }>)[0]!.text, /^\d+$/)
    // A GET stream on a raw session of its own (the client holds one on its session already).
    const init = await fetch(`${agent.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    })
    const session = init.headers.get('mcp-session-id')!
    await init.text()
    const sse = await fetch(`${agent.url}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
    })
    assert.equal(sse.status, 200)
    const streamEnded = sse.text().then(() => Date.now())
    const signalled = Date.now()
    agent.child.kill('SIGTERM')
    const exit = await agent.exit
    assert.equal(exit.code, 0, agent.output())
    assert.ok((await streamEnded) - signalled < 1000)
    assert.equal(count(agent.output(), 'scheduler stopped after'), 1, agent.output())
    await mcp.close()
  } finally {
    if (agent.child.exitCode === null) agent.child.kill('SIGKILL')
  }
})

test('the main job: the probes answer on HEALTH_PORT as the manifest deploys it, and CancelTask of a watch is answered CANCELED by the agent itself, well before the host would step in', async () => {
  const healthPort = await freePort()
  const agent = await start('examples/agent.ts', { PORT: '0', TICK_MS: '40', WATCH_TICKS: '100000', HEALTH_PORT: String(healthPort) })
  try {
    assert.notEqual(new URL(agent.url).port, String(healthPort))
    for (const path of ['/livez', '/readyz']) {
      const probe = await fetch(`http://127.0.0.1:${healthPort}${path}`)
      assert.equal(probe.status, 200, path)
      await probe.arrayBuffer()
    }
    const headers = { 'content-type': 'application/json', 'a2a-version': '1.0' }
    const send = await fetch(`${agent.url}/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: { message: { messageId: 'w1', role: 'ROLE_USER', parts: [{ text: 'watch' }] }, configuration: { returnImmediately: true } },
      }),
    })
    const { result } = (await send.json()) as { result: { task: { id: string } } }
    const client = await new ClientFactory().createFromUrl(`${agent.url}/`)
    const asked = Date.now()
    const canceled = await client.cancelTask({ tenant: '', id: result.task.id, metadata: {} })
    const ms = Date.now() - asked
    assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED)
    assert.equal(
      canceled.status?.message?.parts[0]?.content?.$case === 'text' && canceled.status.message.parts[0].content.value,
      'Stopped watching.',
    )
    assert.ok(ms < 2_000, `CancelTask took ${ms} ms`)
  } finally {
    agent.child.kill('SIGKILL')
    await agent.exit
  }
})

async function stdioClient() {
  let stderr = ''
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'examples/stdio-agent.ts'],
    cwd: root,
    env: { ...(process.env as Record<string, string>), TICK_MS: '20' },
    stderr: 'pipe',
  })
  transport.stderr!.on('data', (chunk) => (stderr += chunk))
  const errors: Error[] = []
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  client.onerror = (error) => errors.push(error)
  await client.connect(transport)
  return { client, transport, errors, stderr: () => stderr }
}

test('the stdio example serves the SDK stdio client, runs its hooks once, and ends when the client closes stdin', async () => {
  const { client, transport, errors, stderr } = await stdioClient()
  const pid = transport.pid!
  const { tools } = await client.listTools()
  assert.deepEqual(
    tools.map((t) => t.name),
    ['scheduler_ticks'],
  )
  await sleep(100)
  const result = await client.callTool({ name: 'scheduler_ticks' })
  assert.ok(Number((result.content as Array<{ text: string }>)[0]!.text) > 0, 'the tool reads the scheduler started by onStartup')
  // close() ends stdin and waits up to 2 s before it resorts to SIGTERM: the process must go
  // on its own, after its hooks ran, well before that.
  const closing = Date.now()
  await client.close()
  assert.ok(Date.now() - closing < 1500, `the process took ${Date.now() - closing} ms to end after stdin closed`)
  assert.equal(alive(pid), false)
  // Every line on stdout was a protocol frame; the example's console.log went to stderr.
  assert.deepEqual(errors, [])
  assert.match(stderr(), /stdio agent running/)
  assert.equal(count(stderr(), 'scheduler started'), 1, stderr())
  assert.equal(count(stderr(), 'scheduler stopped after'), 1, stderr())
})

test('the stdio example shuts down on SIGTERM, running onShutdown', async () => {
  const { client, transport, stderr } = await stdioClient()
  const pid = transport.pid!
  assert.equal((await client.listTools()).tools.length, 1)
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 5000
  while (alive(pid) && Date.now() < deadline) await sleep(20)
  assert.equal(alive(pid), false)
  assert.equal(count(stderr(), 'scheduler stopped after'), 1, stderr())
  await client.close()
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
