// Not tsgi: Hono 4's own answer from a handler that awaits twice first, in a sub-app routed at
// /api as toHono() registers its app, on @hono/node-server. A handler that returns a promise
// leaves node-server's synchronous write for its promise path; this control shows what that
// path costs alone, so a run tells the host's share of hono-tsgi's ratio from tsgi's own.

import { serve } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

async function answerAfterTwoAwaits(c: Context): Promise<Response> {
  // As many awaits as the hello app's two sends: a tsgi app can answer no sooner.
  await null
  await null
  return c.body(HELLO_BODY, 200, { 'content-type': HELLO_TYPE })
}

const mounted = new Hono().all('/', answerAfterTwoAwaits).all('/*', answerAfterTwoAwaits)
const app = new Hono().route('/api', mounted)
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
