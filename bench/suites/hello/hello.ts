// The one response every contender sends, so the comparison measures the glue, not the payload.

import type { App, HttpResponseStart } from '../../../src/index.ts'

export const HELLO_BODY = 'Hello, world!'
export const HELLO_TYPE = 'text/plain; charset=utf-8'
/** The path the load generator asks for: under the '/api' mount, so the router's mount hop is paid. */
export const HELLO_PATH = process.env.BENCH_PATH ?? '/api/hello'

// The app a careful author writes: constant headers, the body as one final message. The bridge
// adds content-length, as Node's res.end(body) does for the raw contender.
const start: HttpResponseStart = { type: 'http.response.start', status: 200, headers: [['content-type', HELLO_TYPE]] }

export const hello: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  await send(start)
  await send({ type: 'http.response.body', body: HELLO_BODY })
}
