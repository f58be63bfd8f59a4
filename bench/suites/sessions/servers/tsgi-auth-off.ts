// The baseline of the sessions suite: mcpApp with the default session bounds, no auth.

import { mcpApp } from '../../../../src/mcp/app.ts'
import { mount, router, serve } from '../../../../src/index.ts'
import { announcePort } from '../../../contender.ts'
import { benchMcpServer } from '../../mcp/tool.ts'

const server = await serve(router([mount('/mcp', mcpApp({ server: benchMcpServer }))]), {
  port: 0,
  signals: false,
  logger: false,
})
announcePort(Number(new URL(server.url).port))
