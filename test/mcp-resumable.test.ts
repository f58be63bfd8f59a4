// Resumable MCP streams (SEP-1699) through mcpApp: with `resumable: true` a stream is primed
// with an event id and `retry:`, and a tool result sent while the client's stream was cut
// arrives on its GET with Last-Event-ID. Raw requests at protocol version 2025-11-25, the
// version that asks the SDK transport for priming.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mcpApp, type McpAppOptions } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { host } from './fixtures/agent-host.ts'
import { everythingServer } from './fixtures/everything/server.ts'

const VERSION = '2025-11-25'

interface SseEvent {
  id?: string
  retry?: string
  data: string
}

/** Reads a whole SSE response (bounded by `ms`) into events. */
async function readEvents(response: Response, ms = 5_000): Promise<SseEvent[]> {
  const timer = setTimeout(() => void response.body?.cancel().catch(() => undefined), ms)
  const text = await response.text().finally(() => clearTimeout(timer))
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event: SseEvent = { data: '' }
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':')
        const field = line.slice(0, colon)
        const value = line.slice(colon + 1).trimStart()
        if (field === 'id') event.id = value
        else if (field === 'retry') event.retry = value
        else if (field === 'data') event.data += value
      }
      return event
    })
}

async function session(endpoint: string): Promise<string> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const init = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'resume', version: '1' } },
    }),
  })
  await init.text()
  const id = init.headers.get('mcp-session-id')!
  const done = await fetch(endpoint, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': VERSION },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  await done.text()
  return id
}

async function hostEverything(options: Partial<McpAppOptions>) {
  const hosted = await host(router([mount('/mcp', mcpApp({ server: () => everythingServer(), ...options }))]))
  return { ...hosted, endpoint: `${hosted.url}/mcp` }
}

function callReconnection(endpoint: string, id: string): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': id,
      'mcp-protocol-version': VERSION,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_reconnection', arguments: {} } }),
  })
}

test('resumable: the stream is primed with an id and retry, and the result missed while it was cut arrives on GET with Last-Event-ID', async () => {
  const { endpoint, close } = await hostEverything({ resumable: true, retryInterval: 500 })
  try {
    const id = await session(endpoint)
    const cut = await readEvents(await callReconnection(endpoint, id))
    assert.ok(cut.length >= 1, 'at least the priming event')
    const priming = cut[0]!
    assert.ok(priming.id !== undefined && priming.id !== '', 'the priming event has an id')
    assert.equal(priming.data, '')
    assert.ok(
      cut.some((e) => e.retry === '500'),
      'retry: 500 was sent',
    )
    assert.ok(!cut.some((e) => e.data.includes('"id":1')), 'the result did not come on the cut stream')
    const lastId = cut.filter((e) => e.id !== undefined).at(-1)!.id!

    const resumed = await fetch(endpoint, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': VERSION, 'last-event-id': lastId },
    })
    assert.equal(resumed.status, 200)
    const reader = resumed.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const deadline = Date.now() + 5_000
    while (!text.includes('"id":1') && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 5_000))])
      if (next === null || next.done) break
      text += next.value
    }
    await reader.cancel().catch(() => undefined)
    assert.match(text, /Reconnection test finished/)
  } finally {
    await close()
  }
})

test('without resumable, streams carry no event ids', async () => {
  const { endpoint, close } = await hostEverything({})
  try {
    const id = await session(endpoint)
    const events = await readEvents(await callReconnection(endpoint, id))
    assert.ok(events.every((e) => e.id === undefined))
    assert.ok(events.some((e) => e.data.includes('Reconnection test finished')))
  } finally {
    await close()
  }
})
