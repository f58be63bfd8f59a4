// MCP tools/call over streamable HTTP in one stateful session, each call with its own JSON-RPC id.

import type { Workload } from '../../workload.ts'
import { toolCallLoad } from './session-load.ts'
import { TOOL } from './tool.ts'

export const workload: Workload = {
  title: `POST /mcp tools/call '${TOOL}' in one session`,
  baseline: 'mcp-sdk-node-http',
  bar: 0.95,
  connections: 50,
  pipelining: 1,
  prepare: (name, origin) => toolCallLoad(name, origin),
}
