// Not tsgi's route: Fastify 5's own route, in a process that has also loaded tsgi's Fastify
// adapter (imported, never called), as fastify-tsgi's process has. On Node 20.20 Fastify's
// own route slows by about a quarter once some large modules are loaded beside it (tsgi's
// embedding module, the undici package, Node's bundled fetch classes), while raw node:http
// and Hono do not; this control measures that share apart from what tsgi does per request.

import '../../../../src/embed/fastify.ts'
import Fastify from 'fastify'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const fastify = Fastify()
fastify.get('/api/hello', (_request, reply) => {
  reply.header('content-type', HELLO_TYPE).send(HELLO_BODY)
})
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
