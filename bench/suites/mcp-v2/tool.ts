// The v2 MCP server both contenders build per request: one tool with a constant answer, so the
// comparison measures the hosting, not the tool.

import { McpServer } from '@modelcontextprotocol/server'

export const TOOL = 'ticks'
export const TOOL_ANSWER = '42'

export function benchMcpServer(): McpServer {
  const server = new McpServer({ name: 'tsgi-bench-v2', version: '1.0.0' })
  server.registerTool(TOOL, { description: 'A constant, for benchmarks' }, async () => ({ content: [{ type: 'text', text: TOOL_ANSWER }] }))
  return server
}
