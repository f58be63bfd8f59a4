// Hono 4 on @hono/node-server serving the same route natively: a peer, beside raw node:http.

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_PATH, HELLO_TYPE } from '../hello.ts'

const app = new Hono().get(HELLO_PATH, (c) => c.body(HELLO_BODY, 200, { 'content-type': HELLO_TYPE }))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
