// The conformance scenario app on Fastify 5, as Fastify's documentation has it:
// - every child app is an encapsulated plugin registered with its prefix (Reference/Plugins.md,
//   Reference/Encapsulation.md); its startup work is an `onReady` hook, its shutdown work an
//   `onClose` hook (Reference/Hooks.md, "Application Hooks"); a router is a plugin that
//   registers its children in order, and its own lifespan is its own onReady/onClose pair;
// - the server's lifespan functions and onStartup / onShutdown hooks are onReady / onClose
//   hooks of the root instance, added after the app is registered;
// - start: `await fastify.ready()`, then `listen`, and on a failed start `fastify.log.error(err);
//   process.exit(1)` (Guides/Getting-Started.md);
// - signals: close-with-grace calling `fastify.close()`, as in the server.js that fastify-cli
//   generates (its `delay` bounds the whole close: it is the shutdown time limit; Fastify has
//   no limit of its own for the drain);
// - limits: `pluginTimeout` bounds each plugin and onReady hook, `bodyLimit` the request body
//   (Reference/Server.md); the raw body comes from a catch-all content-type parser
//   (Reference/ContentTypeParser.md, "Catch-All").
// - websockets: @fastify/websocket, registered before the routes (its README): a leaf's GET
//   route has a `wsHandler` beside its HTTP handler; refusing before the upgrade is a
//   `preValidation` hook replying (its README, "Using hooks"); ws options (`handleProtocols`)
//   through its `options`; its own preClose closes open websockets at `fastify.close()`.
// Nothing here adds what Fastify does not do: what the suite sees is Fastify's behaviour.

import { Readable } from 'node:stream'
import fastifyWebsocket from '@fastify/websocket'
import closeWithGrace from 'close-with-grace'
import type { WebSocket } from 'ws'
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify'
import type { AppSpec, LeafSpec, RouterSpec } from '../../scenarios/types.ts'
import { host, limits, maxBodyBytes, port, record, reported, setup } from './contract.ts'
import { answer, queryOf, rawPathOf, type Answer } from './endpoint.ts'
import { converse } from './websocket-recipe.ts'
import { hasLifecycle, hookOf, loadWithoutLifecycle, routerSetupOf, routerTeardownOf, shutdownOf, startupOf, type State } from './work.ts'

/** The one state object every plugin and request shares (what a root decorator would hold). */
const state: State = {}

function groupHeaders(headers: Array<[string, string]>): Record<string, string | string[]> {
  const grouped: Record<string, string[]> = {}
  for (const [name, value] of headers) grouped[name] = [...(grouped[name] ?? []), value]
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]))
}

async function* chunksOf(result: Extract<Answer, { kind: 'stream' }>): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < result.chunks; i++) yield result.chunk
  result.done()
}

function reply(to: FastifyReply, result: Answer): FastifyReply | undefined {
  switch (result.kind) {
    case 'json':
      return to.code(result.status).headers(groupHeaders(result.headers)).send(result.body)
    case 'stream':
      return to
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(result.chunks * result.chunk.byteLength))
        .send(Readable.from(chunksOf(result)))
    case 'throw':
      throw result.error
    case 'partial-then-throw': {
      const body = new Readable({ read() {} })
      body.push('partial')
      setTimeout(() => body.destroy(result.error), 20)
      return to.header('content-type', 'text/plain').send(body)
    }
    case 'nothing':
      return undefined
  }
}

function handlerFor(name: string, rootPath: string) {
  return async (request: FastifyRequest, to: FastifyReply): Promise<FastifyReply | undefined> => {
    const result = await answer(
      name,
      {
        method: request.method,
        path: `/${(request.params as { '*'?: string })['*'] ?? ''}`,
        rootPath,
        rawPath: rawPathOf(request.url),
        queryString: queryOf(request.url),
        header: (header) => {
          const value = request.headers[header]
          return value === undefined ? [] : Array.isArray(value) ? value : [value]
        },
        body: async () => (request.body instanceof Uint8Array ? request.body : new Uint8Array()),
        disconnected: () => new Promise((resolve) => to.raw.once('close', () => resolve())),
        state,
      },
      record,
    )
    return reply(to, result)
  }
}

function leafPlugin(leaf: LeafSpec, methods?: string[]): FastifyPluginAsync {
  return async (instance) => {
    if (hasLifecycle(leaf)) {
      instance.addHook('onReady', startupOf(leaf, state, record))
      const shutdown = shutdownOf(leaf, state, record)
      instance.addHook('onClose', async () => shutdown())
    } else {
      loadWithoutLifecycle(leaf, record)
    }
    const handler = handlerFor(leaf.name, instance.prefix)
    if (methods !== undefined) {
      instance.route({ method: methods, url: '/', handler })
      return
    }
    // @fastify/websocket takes websockets on GET routes only: GET gets both handlers, the rest HTTP.
    const wsHandler = websocketHandlerFor(leaf.name, instance.prefix)
    instance.addHook('preValidation', refuseBeforeUpgrade(leaf.name))
    const others = instance.supportedMethods.filter((method) => method !== 'GET' && method !== 'HEAD')
    for (const url of ['/', '/*']) {
      instance.route({ method: 'GET', url, handler, wsHandler })
      instance.route({ method: others, url, handler })
    }
  }
}

/** Before the upgrade (request.ws): record the connect; refuse (403) or deny (401) by replying, as the plugin's README does. */
function refuseBeforeUpgrade(name: string) {
  return async (request: FastifyRequest, to: FastifyReply): Promise<void> => {
    if (!request.ws) return
    record(`${name}.ws.connect`, 'websocket.connect')
    const verb = new URLSearchParams(queryOf(request.url)).get('do')
    if (verb === 'refuse') await to.code(403).send()
    if (verb === 'deny') await to.code(401).header('x-denied', 'yes').type('text/plain').send('denied')
  }
}

function websocketHandlerFor(name: string, rootPath: string) {
  return (socket: WebSocket, request: FastifyRequest): void => {
    const queryString = queryOf(request.url)
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').flatMap((p) => (p.trim() === '' ? [] : [p.trim()]))
    const path = `/${(request.params as { '*'?: string })['*'] ?? ''}`
    const verb = new URLSearchParams(queryString).get('do') ?? 'echo'
    converse(name, verb, socket, { path, rootPath, queryString, scheme: 'ws', subprotocols: offered }, record)
  }
}

function routerPlugin(router: RouterSpec, built: Map<string, FastifyPluginAsync>): FastifyPluginAsync {
  // Children are built now, in order, so that a `same` entry finds the plugin built before it.
  const children = router.routes.map((entry) => {
    if ('same' in entry) return { prefix: entry.mount, plugin: built.get(entry.same)! }
    if ('mount' in entry) return { prefix: entry.mount, plugin: pluginFor(entry.app, built) }
    const plugin = entry.app.kind === 'app' ? leafPlugin(entry.app, entry.methods) : pluginFor(entry.app, built)
    return { prefix: entry.route, plugin }
  })
  return async (instance) => {
    if (router.lifespan !== undefined) {
      instance.addHook('onReady', routerSetupOf(router, state, record))
      const teardown = routerTeardownOf(router, state, record)
      instance.addHook('onClose', async () => teardown())
    }
    for (const child of children) instance.register(child.plugin, { prefix: child.prefix })
  }
}

function pluginFor(spec: AppSpec, built: Map<string, FastifyPluginAsync>): FastifyPluginAsync {
  const plugin = spec.kind === 'app' ? leafPlugin(spec) : routerPlugin(spec, built)
  built.set(spec.name, plugin)
  return plugin
}

function addServerHooks(app: FastifyInstance): void {
  const server = setup.server ?? {}
  for (const [i, fn] of (server.lifespan ?? []).entries()) {
    const setupWork = hookOf(`lifespan.${i}.setup`, fn.setup, state, record)
    app.addHook('onReady', async () => {
      await setupWork()
      if (fn.yields !== undefined) Object.assign(state, fn.yields)
    })
    const teardown = hookOf(`lifespan.${i}.teardown`, fn.teardown, state, record)
    app.addHook('onClose', async () => teardown())
  }
  for (const [i, hook] of (server.onStartup ?? []).entries()) app.addHook('onReady', hookOf(`hook.onStartup.${i}`, hook, state, record))
  for (const [i, hook] of (server.onShutdown ?? []).entries()) {
    const work = hookOf(`hook.onShutdown.${i}`, hook, state, record)
    app.addHook('onClose', async () => work())
  }
}

const app = Fastify({
  logger: true,
  ...(maxBodyBytes === undefined ? {} : { bodyLimit: maxBodyBytes }),
  ...(limits.startupMs === undefined ? {} : { pluginTimeout: limits.startupMs }),
})
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
app.register(fastifyWebsocket, { options: { handleProtocols: (offered) => [...offered][0] ?? false } })
app.register(pluginFor(setup.app, new Map()))
app.addHook('onReady', async () => {
  app.websocketServer.on('headers', (headers) => headers.push('x-conformance: yes'))
})
addServerHooks(app)

const listeners = closeWithGrace({ delay: limits.shutdownMs ?? 10_000 }, async ({ err }) => {
  if (err !== undefined) app.log.error(err)
  await reported('shutdown', () => app.close())
})
app.addHook('onClose', async () => listeners.uninstall())

try {
  await reported('startup', async () => {
    await app.ready()
  })
  await app.listen({ port, host })
} catch (error) {
  app.log.error(error)
  process.exit(1)
}
