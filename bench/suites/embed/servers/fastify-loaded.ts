// Not tsgi's route: Fastify 5's own route, in a process that has also loaded tsgi's Fastify
// adapter (imported, never called), as fastify-tsgi's process has. On Node 20.20 such a
// process serves Fastify's own route about a quarter slower for its whole life; so does one
// that loaded undici, and neither does with V8's incremental marking off (bench/README.md).
// This control shows the rounds in which that, not tsgi's per-request work, moved the ratio.

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
