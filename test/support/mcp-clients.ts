// The real MCP SDK clients, v2 (2026-07-28) and v1 (2025-era), each request on a fresh TCP
// connection: an undici Agent without keep-alive, whose connections are counted, so a test
// shows that nothing rode on a connection's affinity to one worker.

import diagnostics from 'node:diagnostics_channel'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { Agent, fetch as undiciFetch } from 'undici'

/** Connections opened by every fresh-connection fetch of this process. */
export const connections = { opened: 0, requests: 0 }
diagnostics.subscribe('undici:client:connected', () => void connections.opened++)

// pipelining 0: undici closes each connection after its one request.
const noKeepAlive = new Agent({ pipelining: 0 })

export const freshFetch = ((input: string | URL | Request, init?: RequestInit) => {
  connections.requests++
  return undiciFetch(input as never, { ...(init as object), dispatcher: noKeepAlive } as never)
}) as unknown as typeof fetch

/** A v2 client pinned to 2026-07-28 that accepts every elicitation with `{ yes: true }`. */
export async function modernClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(
    { name: 'tsgi-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: {} } },
  )
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { yes: true } }))
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: freshFetch, requestInit: { headers } }))
  return client
}

/** A v1 client (the 2025 handshake). */
export async function legacyClient(url: string, headers: Record<string, string> = {}): Promise<V1Client> {
  const client = new V1Client({ name: 'tsgi-test-v1', version: '1.0.0' })
  await client.connect(new V1Transport(new URL(url), { fetch: freshFetch, requestInit: { headers } }))
  return client
}

/** The JSON a demo tool answered with. */
export function toolJson(result: unknown): Record<string, unknown> {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content
  return JSON.parse(content[0]!.text!) as Record<string, unknown>
}
