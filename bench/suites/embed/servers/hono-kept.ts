// Not tsgi's route: Hono 4's own route on @hono/node-server in a process that keeps nextTick's
// shapes alive, as every tsgi bridge does when it is made (src/node/tick-shapes.ts). Against
// hono-native it shows what that alone is worth in a round; hono-tsgi against it is tsgi's own work.

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

keepTickShapes()
const app = new Hono().get('/api/hello', (c) => c.body(HELLO_BODY, 200, { 'content-type': HELLO_TYPE }))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
