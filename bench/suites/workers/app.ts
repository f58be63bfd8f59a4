// What every server of the workers suite serves: the mcp suite's one-tool MCP server through a
// stateful mcpApp at /mcp, under serve(). Only the process count (and the load's connections)
// differ between them.

import { mcpApp } from '../../../src/mcp/app.ts'
import { mount, router, serve, type ServeOptions } from '../../../src/index.ts'
import { benchMcpServer } from '../mcp/tool.ts'

export function serveBenchMcp(options: Pick<ServeOptions, 'workers'> = {}) {
  return serve(router([mount('/mcp', mcpApp({ server: benchMcpServer }))]), {
    port: 0,
    host: '127.0.0.1',
    signals: false,
    logger: false,
    ...options,
  })
}
