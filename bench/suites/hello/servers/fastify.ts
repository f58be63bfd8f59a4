// Fastify 5 serving the same route natively: a peer, beside raw node:http.

import Fastify from 'fastify'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_PATH, HELLO_TYPE } from '../hello.ts'

const fastify = Fastify()
fastify.get(HELLO_PATH, (_request, reply) => {
  reply.header('content-type', HELLO_TYPE).send(HELLO_BODY)
})
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
