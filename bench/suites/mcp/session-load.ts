// The load both MCP suites send: one stateful session opened as a client would (initialize,
// notifications/initialized, one checked tools/call), then tools/call in it, each call with its
// own JSON-RPC id (the transport maps ids to response streams, so they must not repeat while
// in flight).

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

import type { LoadOptions, LoadRequest } from '../../autocannon.ts'
import { TOOL, TOOL_ANSWER } from './tool.ts'

const base = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
}

async function post(url: string, headers: Record<string, string>, message: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', ...message }) })
}

/** Opens the session on `name` at `origin` (with `extra` headers on every request) and returns the load. */
export async function toolCallLoad(
  name: string,
  origin: string,
  extra: Record<string, string> = {},
): Promise<Omit<LoadOptions, 'connections' | 'pipelining' | 'duration'>> {
  const url = `${origin}/mcp`
  const opening = { ...base, ...extra }
  const init = await post(url, opening, {
    id: 0,
    method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  })
  const session = init.headers.get('mcp-session-id')
  await init.text()
  if (init.status !== 200 || session === null) throw new Error(`${name} answered initialize with ${init.status} and no session`)
  const headers = { ...opening, 'mcp-session-id': session }
  await (await post(url, headers, { method: 'notifications/initialized' })).text()
  const call = { method: 'tools/call', params: { name: TOOL, arguments: {} } }
  const check = await (await post(url, headers, { id: 1, ...call })).text()
  if (!check.includes(`"text":"${TOOL_ANSWER}"`)) throw new Error(`${name} answered tools/call with ${check.slice(0, 200)}`)
  let id = 1
  const request: LoadRequest = {
    method: 'POST',
    path: '/mcp',
    headers,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, ...call }) }),
  }
  return { url, requests: [request] }
}
