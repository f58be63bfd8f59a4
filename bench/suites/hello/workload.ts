// The hot path: a hello-world GET through the node:http bridge and a router's mount hop.

import type { Workload } from '../../workload.ts'
import { HELLO_BODY, HELLO_PATH } from './hello.ts'

export const workload: Workload = {
  title: `GET ${HELLO_PATH}`,
  baseline: 'raw-node-http',
  controls: { 'raw-node-kept': 'raw-node-http' },
  bar: 0.9,
  connections: 100,
  pipelining: 10,
  async prepare(name, origin) {
    const url = `${origin}${HELLO_PATH}`
    const response = await fetch(url)
    const body = await response.text()
    if (response.status !== 200 || body !== HELLO_BODY) {
      throw new Error(`${name} answered ${response.status} '${body}' instead of 200 '${HELLO_BODY}'`)
    }
    return { url }
  },
}
