// tsgi through toNodeHandler() on a plain node:http server, behind a router with two mounts.
// Once serve() exists, a sibling file serving the same app through it joins the table.

import { createServer } from 'node:http'
import { toNodeHandler } from '../../src/node.ts'
import { mount, router } from '../../src/index.ts'
import { announce } from '../contender.ts'
import { hello } from '../hello.ts'

announce(createServer(toNodeHandler(router([mount('/api', hello), mount('/', hello)]), { logger: false })))
