// tools/call in one session with bearer auth on against off (bar 0.95: auth must cost little),
// and, once after the rounds, RSS growth per 10,000 abandoned sessions with and without the cap.

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

import type { LoadRequest } from '../../autocannon.ts'
import type { Workload } from '../../workload.ts'
import { TOOL, TOOL_ANSWER } from '../mcp/tool.ts'
import { sessionMemory } from './memory.ts'
import { BENCH_TOKEN } from './token.ts'

const base = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
  authorization: `Bearer ${BENCH_TOKEN}`,
}

async function post(url: string, headers: Record<string, string>, message: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', ...message }) })
}

export const workload: Workload = {
  title: `POST /mcp tools/call '${TOOL}' in one session, bearer auth on vs off`,
  baseline: 'tsgi-auth-off',
  bar: 0.95,
  connections: 50,
  pipelining: 1,
  async prepare(name, origin) {
    const url = `${origin}/mcp`
    const init = await post(url, base, {
      id: 0,
      method: 'initialize',
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    })
    const session = init.headers.get('mcp-session-id')
    await init.text()
    if (init.status !== 200 || session === null) throw new Error(`${name} answered initialize with ${init.status} and no session`)
    const headers = { ...base, 'mcp-session-id': session }
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
  },
  report: sessionMemory,
}
