// tsgi: the same handler through mcpServerApp mounted at /mcp under serve(), so the request pays
// the router, the node bridge, the body read under the limit and the fetch bridge.

import { mount, router, serve } from '../../../../src/index.ts'
import { mcpServerApp } from '../../../../src/mcp-server/app.ts'
import { announcePort } from '../../../contender.ts'
import { benchMcpServer } from '../tool.ts'

const server = await serve(router([mount('/mcp', mcpServerApp({ server: benchMcpServer }))]), {
  port: 0,
  signals: false,
  logger: false,
})
announcePort(Number(new URL(server.url).port))
