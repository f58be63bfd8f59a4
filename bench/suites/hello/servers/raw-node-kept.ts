// Not tsgi: the baseline's bare node:http in a process that keeps nextTick's shapes alive, as
// every tsgi bridge does when it is made (src/node/tick-shapes.ts). The tsgi contenders against
// it are tsgi's own work, with the kept shapes on both sides.

import { createServer } from 'node:http'
import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'
import { announce } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../hello.ts'

const headers = { 'content-type': HELLO_TYPE, 'content-length': String(Buffer.byteLength(HELLO_BODY)) }

keepTickShapes()
announce(
  createServer((_req, res) => {
    res.writeHead(200, headers)
    res.end(HELLO_BODY)
  }),
)
