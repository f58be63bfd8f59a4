// Fastify 5's own route: the baseline for fastify-tsgi.

import Fastify from 'fastify'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const fastify = Fastify()
fastify.get('/api/hello', (_request, reply) => {
  reply.header('content-type', HELLO_TYPE).send(HELLO_BODY)
})
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
