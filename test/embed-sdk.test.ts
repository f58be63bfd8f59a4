// agent()'s MCP and A2A endpoints mounted under each host at /agents answer the official MCP
// client and the official A2A client; the card advertises the mount, `…/agents/`.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AgentEvent, type AgentExecutor } from '@a2a-js/sdk/server'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { Message } from '@a2a-js/sdk'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { lifespanState } from '../src/a2a/app.ts'
import { agentApp } from '../src/agent/agent.ts'
import type { LifespanContext } from '../src/index.ts'
import { sendParams, textOf, userMessage } from './fixtures/a2a-executor.ts'
import { host, hostNames } from './support/hosts.ts'

function agentParts() {
  const executor: AgentExecutor = {
    async execute(context, bus) {
      bus.publish(AgentEvent.message({ ...userMessage(String(lifespanState(context).greeting)), role: 2, contextId: context.contextId }))
    },
    async cancelTask() {},
  }
  return agentApp({
    mcp: {
      server: ({ state }) => {
        const server = new McpServer({ name: 'embed-test', version: '1.0.0' })
        server.registerTool('greeting', { description: 'The greeting startup chose' }, async () => ({
          content: [{ type: 'text', text: String(state.greeting) }],
        }))
        return server
      },
    },
    a2a: { card: { name: 'Embedded', description: 'Greets from inside a host' }, executor },
  }).app
}

const onStartup = [
  ({ state }: LifespanContext) => {
    state.greeting = 'hello from the host'
  },
]

for (const name of hostNames) {
  test(`${name}: the MCP client calls a tool and the A2A client sends a message, under /agents`, async (t) => {
    const hosted = await host(name, agentParts(), { prefix: '/agents', options: { onStartup } })
    t.after(() => hosted.close())

    const mcp = new Client({ name: 'embed-test', version: '1.0.0' })
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${hosted.origin}/agents/mcp`)))
    const result = await mcp.callTool({ name: 'greeting' })
    assert.deepEqual(result.content, [{ type: 'text', text: 'hello from the host' }])
    await mcp.close()

    const base = `${hosted.origin}/agents/`
    const a2a = await new ClientFactory().createFromUrl(base)
    const card = await a2a.getAgentCard()
    assert.deepEqual(
      card.supportedInterfaces.map((i) => i.url),
      [base],
    )
    const answer = (await a2a.sendMessage(sendParams('hi'))) as Message
    assert.equal(textOf(answer), 'hello from the host')
  })
}
