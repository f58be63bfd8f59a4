// The baseline: the MCP SDK hosted the way its documentation shows, on bare node:http with the
// node streamable-HTTP transport and a session map, nothing of tsgi.

import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'

import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

import { announce } from '../../../contender.ts'
import { benchMcpServer } from '../tool.ts'

const transports = new Map<string, StreamableHTTPServerTransport>()

announce(
  createServer(async (req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end()
      return
    }
    const id = req.headers['mcp-session-id']
    let transport = typeof id === 'string' ? transports.get(id) : undefined
    if (transport === undefined) {
      const fresh = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sessionId) => void transports.set(sessionId, fresh),
      })
      fresh.onclose = () => {
        if (fresh.sessionId !== undefined) transports.delete(fresh.sessionId)
      }
      await benchMcpServer().connect(fresh)
      transport = fresh
    }
    await transport.handleRequest(req, res)
  }),
)
