// The same app with bearer auth: every call pays the header parse and one verify().

import { mcpApp } from '../../../../src/mcp/app.ts'
import { mount, router, serve } from '../../../../src/index.ts'
import { announcePort } from '../../../contender.ts'
import { benchMcpServer } from '../../mcp/tool.ts'
import { BENCH_TOKEN } from '../token.ts'

const auth = {
  async verify(token: string) {
    return token === BENCH_TOKEN ? { token, clientId: 'bench', scopes: [] } : null
  },
}
const server = await serve(router([mount('/mcp', mcpApp({ server: benchMcpServer, auth }))]), {
  port: 0,
  signals: false,
  logger: false,
})
announcePort(Number(new URL(server.url).port))
