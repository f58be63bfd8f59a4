// Each host's own route against the same answer from a tsgi app mounted in that host, in the
// same round: what embedding costs inside Express 5, Fastify 5 and Hono 4 (node-server).

import type { Workload } from '../../workload.ts'
import { HELLO_BODY } from '../hello/hello.ts'

/** Under the '/api' prefix the tsgi app is mounted at, so the host's mount is paid. */
export const EMBED_PATH = '/api/hello'

export const workload: Workload = {
  title: `GET ${EMBED_PATH}, each host natively and with tsgi mounted at /api`,
  baseline: 'express-native',
  pairs: { 'express-tsgi': 'express-native', 'fastify-tsgi': 'fastify-native', 'hono-tsgi': 'hono-native' },
  controls: { 'fastify-kept': 'fastify-native', 'hono-kept': 'hono-native', 'hono-async': 'hono-native', 'hono-floor': 'hono-native' },
  bar: 0.9,
  connections: 100,
  pipelining: 10,
  async prepare(name, origin) {
    const url = `${origin}${EMBED_PATH}`
    const response = await fetch(url)
    const body = await response.text()
    if (response.status !== 200 || body !== HELLO_BODY) {
      throw new Error(`${name} answered ${response.status} '${body}' instead of 200 '${HELLO_BODY}'`)
    }
    return { url }
  },
}
