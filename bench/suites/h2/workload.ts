// hello over HTTP/2 in cleartext (h2c, prior knowledge): tsgi's serve({ http2: true }) against
// bare node:http2 and Fastify with `http2: true`, loaded by h2load (autocannon has no HTTP/2).
// h2c rather than TLS: the ciphers would cost every contender alike and hide the bridge's share.

import { h2load, h2loadMissing } from '../../h2load.ts'
import type { Workload } from '../../workload.ts'
import { HELLO_BODY, HELLO_PATH } from '../hello/hello.ts'
import { getOverH2c } from './get.ts'

export const workload: Workload = {
  title: `GET ${HELLO_PATH} over h2c (h2load: 100 connections, 10 streams each)`,
  baseline: 'raw-node-http2',
  controls: { 'raw-node-http2-stream': 'raw-node-http2', 'tsgi-floor-http2': 'raw-node-http2' },
  bar: 0.9,
  connections: 100,
  pipelining: 10,
  load: h2load,
  unavailable: h2loadMissing,
  async prepare(name, origin) {
    const url = `${origin}${HELLO_PATH}`
    const { status, body } = await getOverH2c(url)
    if (status !== 200 || body !== HELLO_BODY)
      throw new Error(`${name} answered ${status} '${body}' over h2c instead of 200 '${HELLO_BODY}'`)
    return { url }
  },
}
