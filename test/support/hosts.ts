// The three embedding hosts, each on a real socket with a tsgi app mounted at a prefix: the
// shared case setup every embedding test runs against (Express 5, Fastify 5, Hono 4 under
// @hono/node-server). `before` adds the host's own middleware ahead of the mount.

import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as serveHono } from '@hono/node-server'
import express from 'express'
import Fastify, { type FastifyInstance } from 'fastify'
import { Hono, type MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { App, Embedded, EmbedOptions } from '../../src/index.ts'
import { routeUpgrade as expressUpgrade, toExpress } from '../../src/embed/express.ts'
import { routeUpgrade as fastifyUpgrade, tsgiPlugin } from '../../src/embed/fastify.ts'
import { routeUpgrade as honoUpgrade, toHono } from '../../src/embed/hono.ts'

export type HostName = 'express' | 'fastify' | 'hono'
export const hostNames: HostName[] = ['express', 'fastify', 'hono']

/**
 * The two ways toHono() answers under node-server: alone on its route (the bridge writes the
 * node response) and behind a middleware that only calls next() (a Response).
 */
export const honoWays: ReadonlyArray<readonly [string, HostSetup]> = [
  ['alone on its route', {}],
  ['behind a middleware', { before: 'pass' }],
]

export interface Hosted {
  origin: string
  port: number
  mounted: Embedded
  /** The node server underneath, for tests that close it themselves. */
  server: Server
  fastify?: FastifyInstance
  /** The tsgi side (close()), then the host (server.close / fastify.close). */
  close(): Promise<void>
}

export interface HostSetup {
  prefix?: string
  options?: EmbedOptions
  /**
   * Host middleware around the mount: 'json' is express.json() or a Hono c.req.json(); 'headers'
   * sets `x-host: host` the host's own way (Express res.setHeader, a Fastify onRequest hook's
   * reply.header, a Hono c.header() after next()), and on Hono also runs cors(). 'pass' is a Hono
   * middleware that only calls next(): Hono then matched more than the tsgi route, so toHono()
   * answers with a Response instead of writing the node response itself.
   */
  before?: 'json' | 'headers' | 'pass'
  /** Hono only: one middleware of the test's own ahead of the mount, after any `before`. */
  honoBefore?: MiddlewareHandler
  /** A sibling route answering GET|POST `${sibling}` natively. */
  sibling?: string
  /** Skip startup(): the test drives it. */
  manual?: boolean
  /** Attach the adapter's routeUpgrade() to the host's node server, so websockets reach the app. */
  upgrades?: boolean
}

function listening(server: Server): Promise<number> {
  if (server.listening) return Promise.resolve((server.address() as AddressInfo).port)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.once('listening', () => resolve((server.address() as AddressInfo).port))
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

export async function host(name: HostName, app: App, setup: HostSetup = {}): Promise<Hosted> {
  const prefix = setup.prefix ?? '/a'
  const options: EmbedOptions = { logger: false, ...setup.options }
  if (name === 'express') {
    const mounted = toExpress(app, options)
    const expressApp = express()
    if (setup.before === 'json') expressApp.use(express.json())
    if (setup.before === 'headers') {
      expressApp.use((_req, res, next) => {
        res.setHeader('x-host', 'host')
        next()
      })
    }
    if (setup.sibling !== undefined) expressApp.all(setup.sibling, (req, res) => res.json({ sibling: true, body: req.body ?? null }))
    expressApp.use(prefix, mounted)
    if (setup.manual !== true) await mounted.startup()
    const server = expressApp.listen(0, '127.0.0.1')
    if (setup.upgrades === true) server.on('upgrade', expressUpgrade(expressApp))
    return hostedOn(server, mounted)
  }
  if (name === 'fastify') {
    const fastify = Fastify()
    const plugin = tsgiPlugin(app, options)
    if (setup.sibling !== undefined) {
      fastify.route({
        method: ['GET', 'POST'],
        url: setup.sibling,
        handler: async (request) => ({ sibling: true, body: request.body ?? null }),
      })
    }
    if (setup.before === 'headers') {
      fastify.addHook('onRequest', async (_request, reply) => {
        reply.header('x-host', 'host')
      })
    }
    await fastify.register(plugin, { prefix })
    if (setup.upgrades === true) fastify.server.on('upgrade', fastifyUpgrade(fastify))
    if (setup.manual !== true) await fastify.listen({ port: 0, host: '127.0.0.1' })
    const port = setup.manual === true ? 0 : (fastify.server.address() as AddressInfo).port
    return {
      origin: `http://127.0.0.1:${port}`,
      port,
      mounted: plugin,
      server: fastify.server,
      fastify,
      close: () => fastify.close(),
    }
  }
  const mounted = toHono(app, options)
  const honoApp = new Hono()
  if (setup.before === 'json') {
    honoApp.use('*', async (c, next) => {
      if (c.req.header('content-type')?.includes('json') === true) await c.req.json()
      await next()
    })
  }
  if (setup.before === 'pass') honoApp.use('*', (_c, next) => next())
  if (setup.before === 'headers') {
    honoApp.use('*', cors())
    honoApp.use('*', async (c, next) => {
      await next()
      c.header('x-host', 'host')
    })
  }
  if (setup.honoBefore !== undefined) honoApp.use('*', setup.honoBefore)
  if (setup.sibling !== undefined) honoApp.all(setup.sibling, (c) => c.json({ sibling: true }))
  honoApp.route(prefix, mounted.hono)
  if (setup.manual !== true) await mounted.startup()
  const server = serveHono({ fetch: honoApp.fetch, port: 0, hostname: '127.0.0.1' }) as Server
  if (setup.upgrades === true) server.on('upgrade', honoUpgrade(honoApp))
  return hostedOn(server, mounted)
}

/** Express and Hono own no lifecycle: closing is the tsgi side's close(), then the server's. */
async function hostedOn(server: Server, mounted: Embedded): Promise<Hosted> {
  const port = await listening(server)
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    mounted,
    server,
    close: async () => {
      await mounted.close().catch(() => undefined)
      await closeServer(server)
    },
  }
}
