// The baseline: node:http with no framework, the same bytes as every other contender.

import { createServer } from 'node:http'
import { announce } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../hello.ts'

const headers = { 'content-type': HELLO_TYPE, 'content-length': String(Buffer.byteLength(HELLO_BODY)) }

announce(
  createServer((_req, res) => {
    res.writeHead(200, headers)
    res.end(HELLO_BODY)
  }),
)
