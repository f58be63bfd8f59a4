// tsgi through toNodeHandler() on a plain node:http server, behind a router with two mounts.
// tsgi-serve.ts serves the same app through serve(), so the two rows show what serve() adds.

import { createServer } from 'node:http'
import { toNodeHandler } from '../../../../src/node/handler.ts'
import { mount, router } from '../../../../src/index.ts'
import { announce } from '../../../contender.ts'
import { hello } from '../hello.ts'

announce(createServer(toNodeHandler(router([mount('/api', hello), mount('/', hello)]), { logger: false })))
