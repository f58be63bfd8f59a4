// tsgi/fastify: a tsgi app as a Fastify 5 plugin, and a Fastify instance as a tsgi child.
// The plugin maps Fastify's own lifecycle onto the embedded one: onReady starts it (a failure
// rejects ready()/listen(), so nothing listens), preClose drains tsgi's exchanges before
// Fastify waits for its sockets, onClose runs the rest of the shutdown.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { fromNodeHandler } from '../node/from-node-handler.ts'
import { InvalidArgumentError, LifespanTimeoutError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'
import { embedCore, type Embedded, type EmbedOptions, type EmbeddedCore } from './embed.ts'
import { withEmbedded } from './face.ts'
import { routeThroughHost } from './upgrade.ts'

export type { Embedded, EmbedOptions } from './embed.ts'

/**
 * Registers `app` under the plugin's prefix. Its lifecycle follows Fastify's: no startup() or
 * close() to call. The body reaches the app unread (the plugin's own content-type parser
 * leaves the stream alone), while sibling routes still parse JSON.
 * @example
 * const fastify = Fastify()
 * await fastify.register(tsgiPlugin(agentApp, { onShutdown: [flush] }), { prefix: '/agent' })
 * await fastify.listen({ port: 3000 })   // rejects, and nothing listens, if the startup fails
 */
export function tsgiPlugin(app: App, options: EmbedOptions = {}): FastifyPluginAsync & Embedded {
  const core = embedCore(app, options, 'tsgiPlugin()')
  const plugin = async function tsgi(instance: FastifyInstance): Promise<void> {
    // Encapsulated: this parser holds for the plugin's routes only.
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser('*', function leaveBodyUnread(_request, _payload, done) {
      done(null)
    })
    const root = instance.prefix
    const handler = (request: FastifyRequest, reply: FastifyReply): void => {
      // tsgi writes the response itself; Fastify must not send one too. A hijacked reply drops
      // the headers hooks gave it (@fastify/cors in onRequest): they go onto the node response
      // first, where the bridge keeps them beside the app's.
      carryHeaders(reply)
      reply.hijack()
      core.serveNode(request.raw, reply.raw, { target: request.raw.url ?? '/', root, body: null })
    }
    instance.all('/', handler)
    instance.all('/*', handler)
    const pluginTimeout = instance.initialConfig.pluginTimeout ?? 10_000
    let closing: Promise<void> | null = null
    instance.addHook('onReady', async function tsgiStartup() {
      await startWithin(core, pluginTimeout)
      // An onReady hook after this one may still fail ready(), and then nothing will serve: the
      // app started here is rolled back at once, as a router rolls back its started children,
      // so its timers cannot keep the process alive, and a later fastify.close() finds it stopped.
      rootOf(instance)
        .ready()
        .then(undefined, () => {
          closing ??= core.close()
          closing.catch(() => undefined)
        })
    })
    instance.addHook('preClose', async function tsgiDrain() {
      closing ??= core.close()
      closing.catch(() => undefined)
      await core.drained()
    })
    instance.addHook('onClose', async function tsgiShutdown() {
      closing ??= core.close()
      await closing
    })
  }
  // The name Fastify's errors and printPlugins() show; no skip-override, so it stays encapsulated.
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: 'tsgi' })
  return withEmbedded(plugin, core)
}

/** Headers set on the reply (not yet on the node response) move to the node response. */
function carryHeaders(reply: FastifyReply): void {
  const headers = reply.getHeaders()
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined && !reply.raw.hasHeader(name)) reply.raw.setHeader(name, value)
  }
}

/**
 * The instance fastify() returned. A plugin's own instance inherits from it, but its ready() is
 * the plugin loader's, which must not be called while hooks run; the root's ready() hands back
 * the boot in progress, whose outcome is the one listen() reports.
 */
function rootOf(instance: FastifyInstance): FastifyInstance {
  let root = instance
  for (let up = Object.getPrototypeOf(root); up !== null && up !== Object.prototype; up = Object.getPrototypeOf(up)) root = up
  return root
}

/**
 * Fastify gives each onReady hook `pluginTimeout` ms, then fails ready() with its own error. A
 * startup that would pass that limit fails a little earlier with LifespanTimeoutError, and the
 * late starter is stopped once it finishes, so nothing keeps running unwatched.
 */
async function startWithin(core: EmbeddedCore, pluginTimeout: number): Promise<void> {
  if (!(pluginTimeout > 0)) return core.startup()
  const limit = Math.max(1, pluginTimeout - Math.max(10, Math.min(250, pluginTimeout * 0.2)))
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LifespanTimeoutError('startup', 'tsgi', limit)), limit)
  })
  try {
    await Promise.race([core.startup(), expired])
  } catch (error) {
    if (error instanceof LifespanTimeoutError && error.step === 'tsgi') void core.close().catch(() => undefined)
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A Fastify instance as a tsgi child: its lifespan is the instance's (startup awaits
 * `ready()`, its onReady hooks and plugins; shutdown awaits `close()`, its onClose hooks), and
 * requests go through `instance.routing()`. It never listens on its own.
 * @example
 * const legacy = Fastify().get('/users', async () => [])
 * await serve(router([mount('/legacy', fromFastify(legacy)), mount('/', app)]))
 */
export function fromFastify(instance: FastifyInstance): App {
  if (instance === null || typeof instance !== 'object' || typeof (instance as { routing?: unknown }).routing !== 'function') {
    throw new InvalidArgumentError(`fromFastify() needs a Fastify instance, got ${instance === null ? 'null' : typeof instance}`)
  }
  const http = fromNodeHandler((req, res) => instance.routing(req, res))
  return async function fastifyApp(scope, receive, send) {
    if (scope.type === 'http') return http(scope, receive, send)
    await receive()
    try {
      await instance.ready()
    } catch (error) {
      return send({ type: 'lifespan.startup.failed', message: 'the Fastify instance failed to become ready', error })
    }
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    try {
      await instance.close()
    } catch (error) {
      return send({ type: 'lifespan.shutdown.failed', message: 'the Fastify instance failed to close', error })
    }
    await send({ type: 'lifespan.shutdown.complete' })
  }
}

/**
 * Fastify routes requests, not upgrades (that is @fastify/websocket's job, and it serves its
 * own handlers only): this node:http 'upgrade' listener sends each upgrade request through
 * `fastify.routing()`, so a tsgiPlugin registered under a prefix gets its websocket scopes
 * with that prefix as rootPath, after Fastify's onRequest hooks. An upgrade nothing takes gets
 * Fastify's answer (404) on the socket. Not together with @fastify/websocket, which listens
 * for the same event.
 * @example
 * const fastify = Fastify()
 * await fastify.register(tsgiPlugin(chatApp), { prefix: '/chat' })
 * fastify.server.on('upgrade', routeUpgrade(fastify))
 * await fastify.listen({ port: 3000 })
 */
export function routeUpgrade(fastify: FastifyInstance): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  if (fastify === null || typeof fastify !== 'object' || typeof (fastify as { routing?: unknown }).routing !== 'function') {
    throw new InvalidArgumentError(`routeUpgrade() needs the Fastify instance, got ${fastify === null ? 'null' : typeof fastify}`)
  }
  return (req, socket, head) => {
    const upgrade = routeThroughHost(req, socket, head)
    fastify.routing(req, upgrade.res)
  }
}
