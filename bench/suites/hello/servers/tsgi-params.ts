// tsgi-node-handler's router with routes and a mount that take path parameters beside the plain
// mounts. The measured path (/api/hello) has none, so it must cost what it costs without them:
// templates with a literal first segment stay off its map entry.

import { createServer } from 'node:http'
import { toNodeHandler } from '../../../../src/node/handler.ts'
import { mount, route, router } from '../../../../src/index.ts'
import { announce } from '../../../contender.ts'
import { hello } from '../hello.ts'

const app = router([
  route('GET', '/items/:id', hello),
  route(['GET', 'PUT'], '/items/:id/tags/:tag', hello),
  mount('/t/:tenant', hello),
  mount('/api', hello),
  mount('/', hello),
])
announce(createServer(toNodeHandler(app, { logger: false })))
