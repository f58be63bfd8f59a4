// tsgi through serve({ http2: true }) (h2c): the hello suite's router and app, over HTTP/2.

import { mount, router, serve } from '../../../../src/index.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

const server = await serve(router([mount('/api', hello), mount('/', hello)]), {
  port: 0,
  host: '127.0.0.1',
  signals: false,
  logger: false,
  http2: true,
})
announcePort(Number(new URL(server.url).port))
