// The three hosts the embedding drivers run the scenario app in, each mounted at the root of
// a real Express 5, Fastify 5 or Hono 4 (@hono/node-server) server on 127.0.0.1. Each says
// how its lifespan is driven: Express and Hono through the adapter's startup()/close() around
// the host's listen/close, Fastify through its own listen()/close(). Upgrades reach the app
// through each adapter's routeUpgrade(), attached to the host's node server as its docs say.

import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { App, Embedded, EmbedOptions } from '../../src/index.ts'
import { HOST } from './ports.ts'

export type EmbedHostName = 'express' | 'fastify' | 'hono'

export interface EmbedHost {
  readonly mounted: Embedded
  /** Starts the tsgi app and the host; resolves with the port, rejects as the host's own start does. */
  boot(): Promise<number>
  /** Stops the tsgi app and the host, as the adapter's documentation says to. */
  stop(): Promise<void>
  /** Stops whatever still runs; never throws. */
  kill(): Promise<void>
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    const ready = (): void => resolve((server.address() as AddressInfo).port)
    if (server.listening) return ready()
    server.once('error', reject)
    server.once('listening', ready)
  })
}

function closeServer(server: Server | null): Promise<void> {
  return new Promise((resolve) => {
    if (server === null || !server.listening) return resolve()
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}

/**
 * Express and Hono own no lifecycle: startup() before listening; at the stop the server stops
 * accepting first (server.close()), then close() drains tsgi's exchanges and shuts the app
 * down, and the server's close completes once its last connection has gone.
 */
function manualHost(mounted: Embedded, start: () => Server): EmbedHost {
  let server: Server | null = null
  const kill = async (): Promise<void> => {
    server?.closeAllConnections()
    await closeServer(server)
  }
  return {
    mounted,
    async boot() {
      await mounted.startup()
      server = start()
      return listen(server)
    },
    async stop() {
      const closed = closeServer(server)
      try {
        await mounted.close()
      } finally {
        await closed
      }
    },
    kill,
  }
}

/**
 * The frameworks are optional peers, loaded only when their driver runs: the conformance CLI
 * must start without them.
 */
export async function embedHost(name: EmbedHostName, app: App, options: EmbedOptions): Promise<EmbedHost> {
  if (name === 'express') {
    const [{ default: express }, { toExpress, routeUpgrade }] = await Promise.all([import('express'), import('../../src/embed/express.ts')])
    const mounted = toExpress(app, options)
    const expressApp = express().use(mounted)
    return manualHost(mounted, () => expressApp.listen(0, HOST).on('upgrade', routeUpgrade(expressApp)))
  }
  if (name === 'hono') {
    const [{ serve }, { Hono }, { toHono, routeUpgrade }] = await Promise.all([
      import('@hono/node-server'),
      import('hono'),
      import('../../src/embed/hono.ts'),
    ])
    const mounted = toHono(app, options)
    const honoApp = new Hono().route('/', mounted.hono)
    return manualHost(mounted, () =>
      (serve({ fetch: honoApp.fetch, port: 0, hostname: HOST }) as Server).on('upgrade', routeUpgrade(honoApp)),
    )
  }
  const [{ default: Fastify }, { tsgiPlugin, routeUpgrade }] = await Promise.all([import('fastify'), import('../../src/embed/fastify.ts')])
  const fastify = Fastify()
  const plugin = tsgiPlugin(app, options)
  void fastify.register(plugin)
  fastify.server.on('upgrade', routeUpgrade(fastify))
  return {
    mounted: plugin,
    async boot() {
      await fastify.listen({ port: 0, host: HOST })
      return (fastify.server.address() as AddressInfo).port
    },
    stop: () => fastify.close(),
    kill: async () => {
      fastify.server.closeAllConnections?.()
      await fastify.close().catch(() => undefined)
    },
  }
}
