// A control: node:http2's core API (a 'stream' event, respond() and end()), below the
// compatibility layer every other contender uses; it shows what that layer costs.

import { constants, createServer } from 'node:http2'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const headers = {
  [constants.HTTP2_HEADER_STATUS]: 200,
  'content-type': HELLO_TYPE,
  'content-length': String(Buffer.byteLength(HELLO_BODY)),
}

const server = createServer()
server.on('stream', (stream) => {
  stream.respond(headers)
  stream.end(HELLO_BODY)
})
server.listen(0, '127.0.0.1', () => announcePort((server.address() as { port: number }).port))
