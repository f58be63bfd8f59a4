// The same answer from a tsgi app routed in Hono 4 with toHono() at /api, on @hono/node-server.

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { toHono } from '../../../../src/embed/hono.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

const mounted = toHono(hello, { logger: false })
const app = new Hono().route('/api', mounted.hono)
await mounted.startup()
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
