// The same answer from a tsgi app registered in Fastify 5 with tsgiPlugin() under /api.

import Fastify from 'fastify'
import { tsgiPlugin } from '../../../../src/embed/fastify.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

const fastify = Fastify()
await fastify.register(tsgiPlugin(hello, { logger: false }), { prefix: '/api' })
await fastify.listen({ port: 0, host: '127.0.0.1' })
announcePort((fastify.server.address() as { port: number }).port)
