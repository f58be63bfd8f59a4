// The baseline: bare node:http2 in cleartext through its compatibility API (the request and
// response objects Fastify and tsgi's bridge sit on), the same bytes as every contender.

import { createServer } from 'node:http2'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const headers = { 'content-type': HELLO_TYPE, 'content-length': String(Buffer.byteLength(HELLO_BODY)) }

const server = createServer((_req, res) => {
  res.writeHead(200, headers)
  res.end(HELLO_BODY)
})
server.listen(0, '127.0.0.1', () => announcePort((server.address() as { port: number }).port))
