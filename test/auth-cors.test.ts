// Bearer auth and CORS on both SDK apps, through agent() on a real port with the real clients.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Role } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { agent, agentApp } from '../src/agent/agent.ts'
import { httpOnly, mount, route, router, sendJson } from '../src/index.ts'
import type { AuthInfo } from '../src/sdk/auth.ts'
import { textPart } from './fixtures/a2a-executor.ts'
import { host } from './fixtures/agent-host.ts'

const GOOD = 'good-token-123'

async function verify(token: string): Promise<AuthInfo | null> {
  return token === GOOD ? { token, clientId: 'client-7', scopes: ['agent'] } : null
}

function mcpServer() {
  const server = new McpServer({ name: 'auth', version: '1' })
  server.registerTool('whoami', { description: 'The caller' }, async (extra) => ({
    content: [{ type: 'text', text: extra.authInfo?.clientId ?? 'nobody' }],
  }))
  return server
}

/** Answers with the SDK user's name, as the executor sees it. */
class WhoExecutor implements AgentExecutor {
  cancelTask = async (): Promise<void> => {}
  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const user = context.context.user
    const text = `${user?.isAuthenticated ? 'authenticated' : 'anonymous'} ${user?.userName}`
    bus.publish(
      AgentEvent.message({
        messageId: crypto.randomUUID(),
        contextId: context.contextId,
        taskId: '',
        role: Role.ROLE_AGENT,
        parts: [textPart(text)],
        metadata: {},
        extensions: [],
        referenceTaskIds: [],
      }),
    )
  }
}

async function start(extra: Record<string, unknown> = {}) {
  return agent({
    port: 0,
    logger: false,
    signals: false,
    health: true,
    auth: { verify, resourceMetadataUrl: 'https://auth.example/.well-known/oauth-protected-resource' },
    mcp: { server: mcpServer },
    a2a: { card: { name: 'Auth', description: 'Knows who calls' }, executor: new WhoExecutor() },
    ...extra,
  })
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
const sendMessage = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'SendMessage',
  params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'who?' }] } },
})
const a2aHeaders = { 'content-type': 'application/json', 'a2a-version': '1.0' }

test('no token or a wrong one gets 401 with WWW-Authenticate on both apps, and no detail in the body', async () => {
  const server = await start()
  try {
    for (const [path, headers, body] of [
      ['/mcp', mcpHeaders, initialize],
      ['/', a2aHeaders, sendMessage],
    ] as const) {
      const none = await fetch(`${server.url}${path}`, { method: 'POST', headers, body })
      assert.equal(none.status, 401)
      assert.equal(
        none.headers.get('www-authenticate'),
        'Bearer resource_metadata="https://auth.example/.well-known/oauth-protected-resource"',
      )
      assert.doesNotMatch(await none.text(), /token|verify/i)
      const wrong = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope' }, body })
      assert.equal(wrong.status, 401)
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/)
      await wrong.text()
    }
  } finally {
    await server.close()
  }
})

test('a good token: the MCP tool sees extra.authInfo through the SDK client, the A2A executor sees the user', async () => {
  const server = await start()
  try {
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${GOOD}` } },
    })
    const client = new Client({ name: 'auth-test', version: '1' })
    await client.connect(transport)
    assert.deepEqual((await client.callTool({ name: 'whoami' })).content, [{ type: 'text', text: 'client-7' }])
    await client.close()
    const answer = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { ...a2aHeaders, authorization: `Bearer ${GOOD}` },
      body: sendMessage,
    })
    const { result } = (await answer.json()) as { result: { message: { parts: Array<{ text: string }> } } }
    assert.equal(result.message.parts[0]?.text, 'authenticated client-7')
  } finally {
    await server.close()
  }
})

test('the agent card and the health probes answer without a token', async () => {
  const server = await start()
  try {
    for (const path of ['/.well-known/agent-card.json', '/livez', '/readyz']) {
      const response = await fetch(`${server.url}${path}`)
      assert.equal(response.status, 200, path)
      await response.text()
    }
  } finally {
    await server.close()
  }
})

test('a protected-resource metadata document served beside the authed apps answers without a token', async () => {
  const metadata = { resource: 'http://127.0.0.1/mcp', authorization_servers: ['https://auth.example'] }
  const apps = agentApp({
    auth: { verify, resourceMetadataUrl: '/.well-known/oauth-protected-resource' },
    mcp: { server: mcpServer },
    a2a: { card: { name: 'Auth', description: 'Knows who calls' }, executor: new WhoExecutor() },
  })
  const hosted = await host(
    router([
      route(
        'GET',
        '/.well-known/oauth-protected-resource',
        httpOnly((_s, _r, send) => sendJson(send, 200, metadata)),
      ),
      mount('/', apps.app),
    ]),
  )
  try {
    const document = await fetch(`${hosted.url}/.well-known/oauth-protected-resource`)
    assert.equal(document.status, 200)
    assert.deepEqual(await document.json(), metadata)
    const refused = await fetch(`${hosted.url}/mcp`, { method: 'POST', headers: mcpHeaders, body: initialize })
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer resource_metadata="/.well-known/oauth-protected-resource"')
    await refused.text()
  } finally {
    await hosted.close()
  }
})

test('CORS: a preflight from an allowed origin gets 204 with the headers, another origin gets none, and responses expose Mcp-Session-Id', async () => {
  const server = await start({ auth: undefined, cors: { origins: ['https://app.example'] } })
  try {
    const preflight = (origin: string, path: string) =>
      fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, mcp-session-id' },
      })
    for (const path of ['/mcp', '/']) {
      const allowed = await preflight('https://app.example', path)
      assert.equal(allowed.status, 204)
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example')
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/)
      assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/)
      const other = await preflight('https://evil.example', path)
      assert.equal(other.headers.get('access-control-allow-origin'), null)
      assert.equal(other.headers.get('access-control-allow-methods'), null)
    }
    const init = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, origin: 'https://app.example' },
      body: initialize,
    })
    assert.equal(init.status, 200)
    assert.equal(init.headers.get('access-control-allow-origin'), 'https://app.example')
    assert.match(init.headers.get('access-control-expose-headers') ?? '', /Mcp-Session-Id/)
    await init.text()
    const foreign = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, origin: 'https://evil.example' },
      body: initialize,
    })
    assert.equal(foreign.headers.get('access-control-allow-origin'), null)
    await foreign.text()
  } finally {
    await server.close()
  }
})
