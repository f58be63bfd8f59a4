// tsgi through serve(): the same router and app as tsgi-node-handler, plus what serve() adds
// on the request path (one read of its draining signal per response; health probes off).

import { mount, router, serve } from '../../../../src/index.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../hello.ts'

const server = await serve(router([mount('/api', hello), mount('/', hello)]), { port: 0, host: '127.0.0.1', signals: false, logger: false })
announcePort(Number(new URL(server.url).port))
