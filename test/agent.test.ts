// agent(): routing on one port, hooks and state on every transport, boot aborted by a failing
// startup hook, and close() ending open streams at once. Real sockets, real SDK clients.

import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { TaskState, type Message } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { AgentExecutor } from '@a2a-js/sdk/server'
import { AgentEvent } from '@a2a-js/sdk/server'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { lifespanState } from '../src/a2a/app.ts'
import { agent, agentApp, type AgentOptions, type AgentTransport, type McpAppOptions } from '../src/agent/agent.ts'
import type { LifespanContext } from '../src/index.ts'
import { StepsExecutor, sendParams, textOf, userMessage } from './fixtures/a2a-executor.ts'
import { freePort } from './support/observe.ts'

const quiet = { port: 0, signals: false as const, logger: false as const }

/** A tool and an agent that both answer with `state.greeting`, set by onStartup. */
function parts(): { mcp: McpAppOptions; a2a: NonNullable<AgentOptions['a2a']> } {
  const executor: AgentExecutor = {
    async execute(context, bus) {
      const greeting = String(lifespanState(context).greeting)
      bus.publish(AgentEvent.message({ ...userMessage(greeting), role: 2, contextId: context.contextId }))
    },
    async cancelTask() {},
  }
  return {
    mcp: {
      server: ({ state }) => {
        const server = new McpServer({ name: 'agent-test', version: '1.0.0' })
        server.registerTool('greeting', { description: 'The greeting startup chose' }, async () => ({
          content: [{ type: 'text', text: String(state.greeting) }],
        }))
        return server
      },
    },
    a2a: { card: { name: 'Greeter', description: 'Greets' }, executor },
  }
}

const setGreeting = ({ state }: LifespanContext) => {
  state.greeting = 'hello from onStartup'
}

async function mcpClient(url: string) {
  const client = new Client({ name: 'agent-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  return client
}

test("transport 'both' serves MCP at /mcp (and /mcp/) and A2A everywhere else, both reading the state onStartup set", async () => {
  const server = await agent({ ...parts(), ...quiet, onStartup: [setGreeting] })
  try {
    for (const path of ['/mcp', '/mcp/']) {
      const client = await mcpClient(`${server.url}${path}`)
      const result = await client.callTool({ name: 'greeting' })
      assert.deepEqual(result.content, [{ type: 'text', text: 'hello from onStartup' }])
      await client.close()
    }
    const a2a = await new ClientFactory().createFromUrl(`${server.url}/`)
    assert.equal((await a2a.getAgentCard()).supportedInterfaces[0]?.url, `${server.url}/`)
    const reply = (await a2a.sendMessage(sendParams('hi'))) as Message
    assert.equal(textOf(reply), 'hello from onStartup')
    // '/mcpx' is not under the MCP mount: it belongs to A2A, which has nothing there.
    const other = await fetch(`${server.url}/mcpx`)
    assert.equal(other.status, 404)
    await other.text()
  } finally {
    await server.close()
  }
})

test("transport 'mcp' serves only MCP, and 'a2a' only A2A", async () => {
  const mcpOnly = await agent({ ...parts(), ...quiet, transport: 'mcp', onStartup: [setGreeting] })
  try {
    const client = await mcpClient(`${mcpOnly.url}/mcp`)
    assert.equal((await client.listTools()).tools.length, 1)
    await client.close()
    const card = await fetch(`${mcpOnly.url}/.well-known/agent-card.json`)
    assert.equal(card.status, 404)
    await card.text()
  } finally {
    await mcpOnly.close()
  }
  const a2aOnly = await agent({ a2a: parts().a2a, ...quiet, transport: 'a2a', onStartup: [setGreeting] })
  try {
    const a2a = await new ClientFactory().createFromUrl(`${a2aOnly.url}/`)
    assert.equal(textOf((await a2a.sendMessage(sendParams('hi'))) as Message), 'hello from onStartup')
    const mcp = await fetch(`${a2aOnly.url}/mcp`, { method: 'POST', body: '{}' })
    assert.equal(mcp.status, 404)
    await mcp.text()
  } finally {
    await a2aOnly.close()
  }
})

async function bound(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => null)
  await response?.text()
  return response !== null
}

for (const transport of ['both', 'mcp', 'a2a', 'stdio'] as AgentTransport[]) {
  test(`a failing startup hook aborts boot with no port bound and still runs every onShutdown hook (transport '${transport}')`, async () => {
    const trace: string[] = []
    const port = await freePort()
    let serversBuilt = 0
    const options = parts()
    const server = options.mcp!.server
    options.mcp!.server = (context) => {
      serversBuilt++
      return server(context)
    }
    const stdout = new PassThrough()
    let written = ''
    stdout.on('data', (chunk) => (written += chunk))
    const failure = new Error('cannot reach the queue')
    await assert.rejects(
      agent({
        ...options,
        transport,
        port,
        signals: false,
        logger: false,
        stdin: new PassThrough(),
        stdout,
        onStartup: [
          () => void trace.push('first'),
          () => {
            throw failure
          },
          () => void trace.push('never'),
        ],
        onShutdown: [() => void trace.push('shutdown 1'), () => void trace.push('shutdown 2')],
      }),
      (error: Error & { code?: string; cause?: unknown }) => {
        assert.equal(error.code, 'TSGI_ERR_STARTUP')
        assert.equal(error.cause, failure)
        assert.match(error.message, /onStartup\[1\]/)
        return true
      },
    )
    assert.deepEqual(trace, ['first', 'shutdown 1', 'shutdown 2'])
    assert.equal(await bound(port), false)
    if (transport === 'stdio') {
      assert.equal(serversBuilt, 0, 'stdio was never connected')
      assert.equal(written, '')
    }
  })
}

test('close() ends open MCP and A2A streams at once, so shutdown does not wait out the drain', async () => {
  const executor = new StepsExecutor(20, 100_000)
  const server = await agent({ ...parts(), a2a: { card: { name: 'Long', description: 'Runs long' }, executor }, ...quiet })
  const init = await fetch(`${server.url}/mcp`, {
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
  const mcpStream = fetch(`${server.url}/mcp`, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
  }).then((r) => r.text())
  const a2a = await new ClientFactory().createFromUrl(`${server.url}/`)
  const states: string[] = []
  const a2aStream = (async () => {
    for await (const event of a2a.sendMessageStream(sendParams('long'))) {
      if (event.payload?.$case === 'statusUpdate') states.push(TaskState[event.payload.value.status!.state]!)
    }
  })()
  while (executor.steps < 2) await sleep(10)
  const started = Date.now()
  await server.close()
  await Promise.all([mcpStream, a2aStream])
  assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`)
  assert.equal(states.at(-1), 'TASK_STATE_CANCELED')
  assert.equal(server.phase, 'stopped')
  await server.closed
})

test('the stdio transport speaks MCP frames on its streams, runs lifespan functions around the hooks, and stops on close()', async () => {
  const trace: string[] = []
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const lines: unknown[] = []
  let buffered = ''
  stdout.on('data', (chunk) => {
    buffered += chunk
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, end)))
      buffered = buffered.slice(end + 1)
    }
  })
  const running = await agent({
    ...parts(),
    transport: 'stdio',
    signals: false,
    logger: false,
    stdin,
    stdout,
    lifespan: async function* pool() {
      trace.push('pool open')
      yield { pool: 'p' }
      trace.push('pool closed')
    },
    onStartup: [
      (ctx) => {
        trace.push(`startup sees ${String(ctx.state.pool)}`)
        setGreeting(ctx)
      },
    ],
    onShutdown: [() => void trace.push('shutdown hook')],
  })
  assert.equal(running.phase, 'running')
  const rpc = (message: object) => stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`)
  rpc({
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })
  rpc({ method: 'notifications/initialized' })
  rpc({ id: 2, method: 'tools/call', params: { name: 'greeting', arguments: {} } })
  while (lines.length < 2) await sleep(5)
  assert.deepEqual((lines[1] as { result: unknown }).result, { content: [{ type: 'text', text: 'hello from onStartup' }] })
  await running.close()
  await running.close()
  assert.equal(running.phase, 'stopped')
  assert.deepEqual(trace, ['pool open', 'startup sees p', 'shutdown hook', 'pool closed'])
})

test('agent() and agentApp() refuse bad options with a sentence naming them', async () => {
  await assert.rejects(
    agent({ ...parts(), ...quiet, transport: 'grpc' as never }),
    /transport must be one of both, mcp, a2a, stdio, got "grpc"/,
  )
  await assert.rejects(agent({ a2a: parts().a2a, ...quiet, transport: 'mcp' }), /transport 'mcp' needs the 'mcp' option/)
  await assert.rejects(agent({ mcp: parts().mcp, ...quiet }), /transport 'both' needs the 'a2a' option/)
  await assert.rejects(agent({ ...quiet, transport: 'stdio' }), /transport 'stdio' needs the 'mcp' option/)
  await assert.rejects(agent(null as never), /needs an options object/)
  assert.throws(() => agentApp({ ...parts(), transport: 'stdio' }), /builds HTTP apps/)
  assert.equal(typeof agentApp(parts()).app, 'function')
})
