// The client a session talks to its server with, picked by the transport.

import { Traffic, type Wire } from './http.ts'
import { Http2Traffic } from './http2.ts'
import type { Transport } from './transport.ts'

export function wireFor(transport: Transport, host: string, port: number): Wire {
  return transport.name === 'h1' ? new Traffic(host, port) : new Http2Traffic(transport, host, port)
}
