// MCP tools/call at the 2026-07-28 revision: no session, every call a complete request with its
// own envelope (`_meta`) and JSON-RPC id, as the v2 client sends it.

import type { LoadRequest } from '../../autocannon.ts'
import type { Workload } from '../../workload.ts'
import { TOOL, TOOL_ANSWER } from './tool.ts'

const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': TOOL,
}
const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
}
const call = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: TOOL, arguments: {}, _meta: envelope } })

export const workload: Workload = {
  title: `POST /mcp tools/call '${TOOL}' at 2026-07-28 (stateless)`,
  baseline: 'mcp-node-adapter',
  bar: 0.95,
  connections: 50,
  pipelining: 1,
  async prepare(name, origin) {
    const url = `${origin}/mcp`
    const check = await (await fetch(url, { method: 'POST', headers, body: call(1) })).text()
    if (!check.includes(`"text":"${TOOL_ANSWER}"`)) throw new Error(`${name} answered tools/call with ${check.slice(0, 200)}`)
    let id = 1
    const request: LoadRequest = { method: 'POST', path: '/mcp', headers, setupRequest: (r) => ({ ...r, body: call(++id) }) }
    return { url, requests: [request] }
  },
}
