// The baseline: ws's WebSocketServer in noServer mode on node:http, echoing each message.

import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { announce } from '../../../contender.ts'

const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
const server = createServer((_req, res) => res.writeHead(404).end())
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
})
announce(server)
