// The baseline: the v2 SDK hosted as its serving docs show on Node, createMcpHandler wrapped by
// @modelcontextprotocol/node's toNodeHandler on bare node:http, nothing of tsgi.

import { createServer } from 'node:http'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { createMcpHandler } from '@modelcontextprotocol/server'

import { announce } from '../../../contender.ts'
import { benchMcpServer } from '../tool.ts'

const handler = toNodeHandler(createMcpHandler(benchMcpServer))

announce(
  createServer((req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end()
      return
    }
    void handler(req, res)
  }),
)
