// Not tsgi's route: Fastify 5's own route, in a process that has also loaded tsgi's Fastify
// adapter (imported, never called), as fastify-tsgi's process has. On Node 20.20 a Fastify
// process sometimes serves its own route about a quarter slower for its whole life, and more
// often once large modules are loaded beside it (tsgi's embedding module, undici, Node's
// bundled fetch classes); raw node:http and Hono do not. This control shows the rounds in which
// that, not tsgi's per-request work, moved the Fastify ratio.

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
