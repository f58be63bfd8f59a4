// Hono 4's own route on @hono/node-server: the baseline for hono-tsgi.

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const app = new Hono().get('/api/hello', (c) => c.body(HELLO_BODY, 200, { 'content-type': HELLO_TYPE }))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
