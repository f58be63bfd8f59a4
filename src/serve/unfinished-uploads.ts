// At the drain, a request whose body is still arriving is answered 503 with `Connection:
// close` at once: nobody will serve what it is uploading, and a few slow uploads would
// otherwise hold every graceful shutdown for the whole drainTimeoutMs. A response already
// begun is real work and is left to finish.

import type { IncomingMessage, ServerResponse } from 'node:http'

import { plainAnswer } from '../node/response.ts'
import type { OpenSockets } from './sockets.ts'

export function refuseUnfinishedUploads(sockets: OpenSockets): void {
  for (const socket of sockets) {
    const res = socket._httpMessage as (ServerResponse & { req?: IncomingMessage }) | null | undefined
    const req = res?.req
    if (res == null || req == null || req.complete || res.headersSent || res.writableEnded) continue
    res.setHeader('retry-after', '1')
    plainAnswer(res, 503, 'Service Unavailable', true)
  }
}
