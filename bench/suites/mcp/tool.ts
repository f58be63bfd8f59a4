// The MCP server both contenders build per session: one tool with a constant answer, so the
// comparison measures the hosting, not the tool.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

export const TOOL = 'ticks'
export const TOOL_ANSWER = '42'

export function benchMcpServer(): McpServer {
  const server = new McpServer({ name: 'tsgi-bench', version: '1.0.0' })
  server.registerTool(TOOL, { description: 'A constant, for benchmarks' }, async () => ({ content: [{ type: 'text', text: TOOL_ANSWER }] }))
  return server
}
