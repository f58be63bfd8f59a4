// The real SDK clients over HTTP/2: each given a fetch that negotiates h2 by ALPN (undici with
// allowH2, trusting the throwaway certificate), against serve() with tls and http2. The MCP v2
// client against mcpServerApp, the v1 client against mcpApp, and A2A's message/stream; every
// request the app saw says httpVersion '2', so nothing quietly fell back to HTTP/1.1.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TaskState } from '@a2a-js/sdk'
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

import { a2aApp } from '../src/a2a/app.ts'
import { mount, router, serve, type App } from '../src/index.ts'
import { mcpApp } from '../src/mcp/app.ts'
import { mcpServerApp } from '../src/mcp-server/app.ts'
import { StepsExecutor, sendParams } from './fixtures/a2a-executor.ts'
import { demoServer } from './fixtures/mcp-server/demo-server.ts'
import { makeCertificate } from './support/certificate.ts'
import { h2Fetch } from './support/http2.ts'
import { toolJson } from './support/mcp-clients.ts'

const certificate = makeCertificate()
const tls = { key: certificate.key, cert: certificate.cert }

/** `app`, noting the HTTP version of every request it is given. */
function recording(app: App): { app: App; versions: Set<string> } {
  const versions = new Set<string>()
  return {
    versions,
    app: (scope, receive, send) => {
      if (scope.type === 'http') versions.add(scope.httpVersion)
      return app(scope, receive, send)
    },
  }
}

test('the MCP v2 client calls tools over h2 against mcpServerApp, elicitation round trips included', async () => {
  const { app, versions } = recording(router([mount('/mcp', mcpServerApp({ server: (context) => demoServer(context) }))]))
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true })
  const h2 = h2Fetch(certificate.cert)
  try {
    const client = new Client(
      { name: 'tsgi-h2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: {} } },
    )
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { yes: true } }))
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { fetch: h2.fetch }))
    assert.equal(typeof toolJson(await client.callTool({ name: 'whoami', arguments: {} })).pid, 'number')
    assert.equal(toolJson(await client.callTool({ name: 'confirm', arguments: {} })).rounds, 3)
    await client.close()
    assert.deepEqual([...versions], ['2'])
  } finally {
    await h2.agent.close()
    await server.close()
  }
})

test('the MCP v1 client initializes, lists and calls a tool over h2 against mcpApp', async () => {
  const mcp = mcpApp({
    server: () => {
      const server = new McpServer({ name: 'h2', version: '1.0.0' })
      server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
      return server
    },
  })
  const { app, versions } = recording(router([mount('/mcp', mcp)]))
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true })
  const h2 = h2Fetch(certificate.cert)
  try {
    const client = new V1Client({ name: 'tsgi-h2-v1', version: '1.0.0' })
    await client.connect(new V1Transport(new URL(`${server.url}/mcp`), { fetch: h2.fetch }))
    assert.deepEqual(
      (await client.listTools()).tools.map((tool) => tool.name),
      ['ping'],
    )
    const result = (await client.callTool({ name: 'ping', arguments: {} })) as { content: Array<{ text: string }> }
    assert.equal(result.content[0]!.text, 'pong')
    await client.close()
    assert.deepEqual([...versions], ['2'])
  } finally {
    await h2.agent.close()
    await server.close()
  }
})

test('A2A message/stream over h2: the SDK client gets every event of a streamed task', async () => {
  const executor = new StepsExecutor(5, 6)
  const { app, versions } = recording(router([mount('/', a2aApp({ card: { name: 'H2', description: 'Streams over h2' }, executor }))]))
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true })
  const h2 = h2Fetch(certificate.cert)
  try {
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl: h2.fetch })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl: h2.fetch }),
      }),
    )
    const client = await factory.createFromUrl(`${server.url}/`)
    assert.equal((await client.getAgentCard()).supportedInterfaces[0]?.url, `${server.url}/`)
    const kinds: string[] = []
    for await (const event of client.sendMessageStream(sendParams('work'))) {
      const payload = event.payload!
      kinds.push(payload.$case === 'statusUpdate' ? `status:${TaskState[payload.value.status!.state]}` : payload.$case)
    }
    assert.deepEqual(kinds, ['task', 'status:TASK_STATE_WORKING', ...Array(6).fill('artifactUpdate'), 'status:TASK_STATE_COMPLETED'])
    assert.deepEqual([...versions], ['2'])
  } finally {
    await h2.agent.close()
    await server.close()
  }
})
