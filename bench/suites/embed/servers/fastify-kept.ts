// Not tsgi's route: Fastify 5's own route in a process that keeps nextTick's shapes alive, as
// every tsgi bridge does when it is made (src/node/tick-shapes.ts). Against fastify-native it
// shows what that alone is worth in a round; fastify-tsgi against it is tsgi's own work.

import Fastify from 'fastify'
import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'
import { announcePort } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

keepTickShapes()
const fastify = Fastify()
fastify.get('/api/hello', (_request, reply) => {
  reply.header('content-type', HELLO_TYPE).send(HELLO_BODY)
})
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
