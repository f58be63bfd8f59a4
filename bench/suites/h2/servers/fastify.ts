// Fastify 5 with `http2: true` (h2c) serving the same route natively: a peer.

import Fastify from 'fastify'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_PATH, HELLO_TYPE } from '../../hello/hello.ts'

const fastify = Fastify({ http2: true })
fastify.get(HELLO_PATH, (_request, reply) => {
  reply.header('content-type', HELLO_TYPE).send(HELLO_BODY)
})
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
