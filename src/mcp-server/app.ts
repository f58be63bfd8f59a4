// tsgi/mcp-server: an MCP server from the v2 SDK (@modelcontextprotocol/server, protocol
// revision 2026-07-28, stateless) as a tsgi child app. The SDK's createMcpHandler does the
// protocol: a fresh server per request, 2025-era clients served statelessly or refused,
// `subscriptions/listen` streams fed by a ServerEventBus. This app adds only what tsgi owns:
// the host check, CORS, bearer auth, the body read once under our limit, 503 while draining,
// the lifespan state for the factory, `close()` at shutdown, and what makes it safe on every
// worker: one requestState key and one event bus for the whole machine.

import { createMcpHandler, type RequestStateCodec, type ServerEventBus, type ServerNotifier } from '@modelcontextprotocol/server'
import { respondWithFetch } from '../fetch/app.ts'
import { consoleLogger } from '../logging.ts'
import { describeError } from '../protocol/errors.ts'
import { refuseWebSocket } from '../protocol/refuse-websocket.ts'
import type { App, AppState, HttpScope, LifespanScope, Logger, Receive, Send } from '../protocol/types.ts'
import { authenticate, readAuth, type AuthInfo } from '../sdk/auth.ts'
import { allowedOrigin, answerPreflight, isPreflight, readCors, withCorsHeaders } from '../sdk/cors.ts'
import { answerGone, hostProblem, readBody, rpcError, sendJson } from '../sdk/http.ts'
import { errorClass, internalErrorLog } from '../sdk/internal-error.ts'
import { ADOPT_SHARED_OPTIONS, type SharedAppOptions } from '../sdk/shared-options.ts'
import { clusterEventBus } from './bus.ts'
import { MCP_SERVER_CORS, readMcpServerOptions, type McpServerAppOptions } from './options.ts'
import { requestStateCodec } from './request-state.ts'

export type { McpServerAppFactory, McpServerAppOptions, McpServerContext } from './options.ts'
export { REQUEST_STATE_KEY_ENV } from './options.ts'
export type { AuthInfo, AuthOptions } from '../sdk/auth.ts'
export type { CorsOptions } from '../sdk/cors.ts'
export type { ServerEvent, ServerEventBus, ServerNotifier } from '@modelcontextprotocol/server'

/** The App, plus the handler's notify and bus, and what a host needs to end it early. */
export interface McpServerApp extends App {
  /** Publishes change events to every open `subscriptions/listen` stream, on every worker. */
  readonly notify: ServerNotifier
  /** The bus `notify` publishes on. */
  readonly bus: ServerEventBus
  /** Stops taking requests (503) and closes the SDK handler; idempotent. The lifespan's shutdown calls it. */
  close(): Promise<void>
}

/** Seconds a client is asked to wait before it tries again (another replica, or this one restarted). */
const RETRY_AFTER_SECONDS = '5'

/**
 * @example
 * const mcp = mcpServerApp({
 *   server: ({ state, requestState }) => {
 *     const server = new McpServer({ name: 'demo', version: '1.0.0' }, { requestState: { verify: requestState.verify } })
 *     server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
 *     return server
 *   },
 *   allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
 * })
 * await serve(router([mount('/mcp', mcp)]), { workers: 2 })
 * mcp.notify.toolsChanged()   // reaches listeners on every worker
 */
export function mcpServerApp(options: McpServerAppOptions): McpServerApp {
  const config = readMcpServerOptions(options)
  let scopeLogger: Logger | undefined
  const logger = (): Logger => options.logger ?? scopeLogger ?? consoleLogger
  const logInternal = internalErrorLog('mcp-server', { logger, logDetails: options.logDetails === true })
  /** The lifespan state, for a factory called outside any request scope's knowledge. */
  let lifespanState: AppState = {} as AppState
  /** Each request's scope state, by the Request the SDK hands back to the factory as `requestInfo`. */
  const requestStates = new WeakMap<Request, AppState>()
  let codec: RequestStateCodec | null = null
  let codecLoading: Promise<RequestStateCodec> | null = null
  const loadCodec = (): Promise<RequestStateCodec> => {
    codecLoading ??= requestStateCodec(config.requestStateKey).then((made) => (codec = made))
    // A failed load is tried again by the next request, not remembered.
    codecLoading.catch(() => (codecLoading = null))
    return codecLoading
  }

  const handler = createMcpHandler(
    async (context) => {
      const state = (context.requestInfo && requestStates.get(context.requestInfo)) ?? lifespanState
      try {
        return await options.server({ ...context, state, requestState: codec! })
      } catch (error) {
        logInternal('server factory', error)
        throw error
      }
    },
    {
      legacy: config.legacy,
      bus: config.bus ?? clusterEventBus(),
      responseMode: config.responseMode,
      keepAliveMs: config.keepAliveMs,
      maxSubscriptions: config.maxSubscriptions,
      maxRequestBodySize: config.limit,
      // The SDK reports refused requests here as well as failures: a client's mistake is no
      // operator's alarm, so one quiet line with the class only.
      onerror: (error) => logger().debug(`tsgi mcp-server: the handler reported ${errorClass(error)}`),
    },
  )

  /** Aborted when the server begins to drain: open listen streams end with it. */
  const drained = new AbortController()
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => {
    drained.abort()
    closing ??= handler.close()
    return closing
  }
  const drain = (): void => drained.abort()

  async function lifespan(scope: LifespanScope, receive: Receive, send: Send): Promise<void> {
    await receive()
    scopeLogger = scope.logger
    lifespanState = scope.state
    try {
      await loadCodec()
    } catch (error) {
      await send({ type: 'lifespan.startup.failed', message: `mcp-server: ${describeError(error)}`, error })
      return
    }
    scope.draining?.addEventListener('abort', drain, { once: true })
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    scope.draining?.removeEventListener('abort', drain)
    try {
      await close()
    } catch (error) {
      await send({ type: 'lifespan.shutdown.failed', message: `mcp-server: ${describeError(error)}`, error })
      return
    }
    await send({ type: 'lifespan.shutdown.complete' })
  }

  async function http(scope: HttpScope, receive: Receive, rawSend: Send): Promise<void> {
    if (drained.signal.aborted) {
      return sendJson(rawSend, 503, rpcError(-32000, 'Service Unavailable: the MCP server is shutting down'), [
        ['retry-after', RETRY_AFTER_SECONDS],
      ])
    }
    if (config.allowed !== null) {
      const problem = hostProblem(scope, config.allowed)
      if (problem !== null) return sendJson(rawSend, 403, rpcError(-32000, problem))
    }
    let send = rawSend
    if (config.cors !== null) {
      if (isPreflight(scope)) return answerPreflight(scope, send, config.cors)
      const origin = allowedOrigin(scope, config.cors)
      if (origin !== null) send = withCorsHeaders(send, origin, config.cors)
    }
    let authInfo: AuthInfo | undefined
    if (config.auth !== null) {
      const outcome = await authenticate(scope, send, config.auth, logInternal)
      if (outcome.kind === 'refused') return
      authInfo = outcome.info
    }
    let parsedBody: unknown
    if (scope.method === 'POST') {
      const body = await readBody(scope, receive, config.limit)
      if (body.kind === 'disconnect') return answerGone(send)
      if (body.kind === 'too-large')
        return sendJson(send, 413, rpcError(-32000, `Payload Too Large: the body must not exceed ${config.limit} bytes`))
      try {
        parsedBody = JSON.parse(body.text)
      } catch {
        return sendJson(send, 400, rpcError(-32700, 'Parse error: Invalid JSON'))
      }
    }
    if (codec === null) {
      try {
        await loadCodec()
      } catch (error) {
        logInternal('requestState key', error)
        return sendJson(send, 503, rpcError(-32000, 'Service Unavailable'), [['retry-after', RETRY_AFTER_SECONDS]])
      }
    }
    const extra = authInfo === undefined ? { parsedBody } : { parsedBody, authInfo }
    // The body was read (and bounded) here, so the SDK gets it parsed and never reads one.
    return respondWithFetch(
      scope,
      receive,
      send,
      (request) => {
        // A listen stream lives until the client leaves or the server drains, whichever first.
        const served = isListen(parsedBody) ? new Request(request, { signal: AbortSignal.any([request.signal, drained.signal]) }) : request
        requestStates.set(served, scope.state)
        return handler.fetch(served, extra)
      },
      { bodyConsumed: true },
    )
  }

  const app = function mcpServer(scope, receive, send) {
    if (scope.type === 'lifespan') return lifespan(scope, receive, send)
    if (scope.type === 'websocket') return refuseWebSocket(send)
    return http(scope, receive, send)
  } as McpServerApp
  Object.defineProperties(app, {
    notify: { value: handler.notify, enumerable: true },
    bus: { value: handler.bus, enumerable: true },
    close: { value: close, enumerable: true },
    [ADOPT_SHARED_OPTIONS]: {
      // agent()'s protections, for the ones this app has no setting of its own for.
      value: (shared: SharedAppOptions): void => {
        if (options.allowedHosts === undefined && shared.allowedHosts !== undefined) config.allowed = new Set(shared.allowedHosts)
        if (options.cors === undefined && shared.cors !== undefined) config.cors = readCors(shared.cors, 'agent', MCP_SERVER_CORS)
        if (options.auth === undefined && shared.auth !== undefined) config.auth = readAuth(shared.auth, 'agent')
      },
    },
  })
  return app
}

function isListen(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'subscriptions/listen'
}
