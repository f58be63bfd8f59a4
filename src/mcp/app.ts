// tsgi/mcp: an MCP server from @modelcontextprotocol/sdk as a tsgi child app, on the SDK's
// web-standard streamable HTTP transport through the fetch bridge. Why that transport: the
// SDK's node transport is this same transport wrapped in @hono/node-server's node<->fetch
// conversion, so hosting it through a node bridge would do strictly more work per request.
//
// Stateful by default (one server per session; POST carries messages, GET opens the session's
// SSE stream, DELETE ends the session); `stateless: true` builds a fresh server per request.
// Sessions are bounded (count and idle time); the lifespan's shutdown closes every session, so
// open SSE streams end with it.

import { MCP_CORS, readMcpOptions, type McpAppOptions } from './options.ts'
import { answer, isInitialization, sessionsFull, tooManySessions, tooManyStreams, type Call } from './call.ts'
import { McpSessions, type McpPair, type McpSession } from './sessions.ts'
import { clientOf } from './client-counts.ts'
import { admitSession, mcpClientCaps } from './machine-caps.ts'
import { declaredBytes } from './client-info.ts'
import { sessionCharge } from './session-budget.ts'
import { consoleLogger } from '../logging.ts'
import type { App, HttpScope, Logger, Receive, Scope, Send } from '../protocol/types.ts'
import { refuseWebSocket } from '../protocol/refuse-websocket.ts'
import { authenticate, readAuth, type AuthInfo } from '../sdk/auth.ts'
import { allowedOrigin, answerPreflight, isPreflight, readCors, withCorsHeaders } from '../sdk/cors.ts'
import { answerGone, header, hostProblem, readBody, rpcError, sendJson, serviceLifespan } from '../sdk/http.ts'
import { internalErrorLog } from '../sdk/internal-error.ts'
import { ADOPT_SHARED_OPTIONS, type SharedAppOptions } from '../sdk/shared-options.ts'
import { clusterDir, inTsgiCluster } from '../cluster/link.ts'
import { asRelayedClient, relayedAuth, SessionRelay } from './relay.ts'

export type { McpServerContext, McpServerFactory, McpServerLike } from './sessions.ts'
export type { McpAppOptions } from './options.ts'
export type { AuthInfo, AuthOptions } from '../sdk/auth.ts'
export type { CorsOptions } from '../sdk/cors.ts'
export { MemoryEventStore } from './event-store.ts'

/** The App, plus what a host needs to end it early (a drain) or to watch it. */
export interface McpApp extends App {
  /** Stops taking requests (503) and closes every session; idempotent. The lifespan's shutdown calls it. */
  close(): Promise<void>
  /** Live sessions (stateful mode). */
  readonly sessionCount: number
  /** Open GET streams, over every session. */
  readonly streamCount: number
}

/** mcpApp()s built so far in this process: the same script builds them in the same order in every worker. */
let built = 0

/**
 * @example
 * const mcp = mcpApp({
 *   server: ({ sessionId }) => {
 *     const server = new McpServer({ name: 'demo', version: '1.0.0' })
 *     server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
 *     return server
 *   },
 *   allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
 *   maxSessions: 1_000,
 *   sessionIdleMs: 15 * 60_000,
 * })
 * await serve(router([mount('/mcp', mcp)]))
 */
export function mcpApp(options: McpAppOptions): McpApp {
  const config = readMcpOptions(options)
  const { stateless, limit } = config
  // Not const: agent() may hand this app the protections it has no setting of its own for.
  let { allowed, cors, auth } = config
  // Under serve({ workers }) a session lives in the worker that made it; the others relay to it.
  const relay = !stateless && inTsgiCluster() ? new SessionRelay(clusterDir()!, built) : null
  // Per-client caps hold for the machine, counted in the primary under workers.
  const { streams: streamsHeld, sessions: sessionTally } = mcpClientCaps(
    built,
    relay !== null,
    config.maxStreamsPerClient,
    config.budget.maxPerClient,
  )
  built++
  const sessions = new McpSessions({
    ...(relay === null ? {} : { newId: () => relay.newSessionId() }),
    ...(sessionTally === null ? {} : { onRelease: (client: string) => sessionTally.release(client) }),
    factory: options.server,
    jsonResponse: options.jsonResponse === true,
    budget: config.budget,
    idleMs: config.idleMs,
    eventStore: config.eventStore,
    retryInterval: config.retryInterval,
  })
  let scopeLogger: Logger | undefined
  const logInternal = internalErrorLog('mcp', {
    logger: () => options.logger ?? scopeLogger ?? consoleLogger,
    logDetails: options.logDetails === true,
  })
  let closing: Promise<void> | null = null
  let draining = false

  function close(): Promise<void> {
    closing ??= Promise.all([sessions.closeAll(), relay?.close()]).then(([problems]) => {
      if (problems.length > 0) throw new Error(problems.join('; '))
    })
    return closing
  }

  /** The server began to drain: refuse new work, end the streams that would hold the drain open. */
  function drain(): void {
    draining = true
    sessions.endStandaloneStreams()
  }

  const lifespan = serviceLifespan('mcp', drain, close, (scope) => {
    scopeLogger = scope.logger
    relay?.listen(fromSibling, scope.state).catch((error: unknown) => logInternal('relay', error))
  })

  /** A request relayed by another worker for one of this worker's sessions; its checks were made there. */
  async function fromSibling(socketScope: Scope, receive: Receive, send: Send): Promise<void> {
    if (socketScope.type !== 'http') return
    const scope = asRelayedClient(socketScope)
    let parsedBody: unknown
    if (scope.method === 'POST') {
      const body = await readBody(scope, receive, limit)
      if (body.kind !== 'body') return answerGone(send)
      parsedBody = JSON.parse(body.text)
    }
    const session = sessions.get(header(scope, 'mcp-session-id') ?? '')
    if (session === undefined) return sendJson(send, 404, rpcError(-32001, 'Session not found'))
    return answerInSession({ scope, receive, send, parsedBody, authInfo: relayedAuth(scope) }, session)
  }

  async function http(scope: HttpScope, receive: Receive, rawSend: Send): Promise<void> {
    if (draining || closing !== null)
      return sendJson(rawSend, 503, rpcError(-32000, 'Service Unavailable: the MCP server is shutting down'))
    if (allowed !== null) {
      const problem = hostProblem(scope, allowed)
      if (problem !== null) return sendJson(rawSend, 403, rpcError(-32000, problem))
    }
    let send = rawSend
    if (cors !== null) {
      if (isPreflight(scope)) return answerPreflight(scope, send, cors)
      const origin = allowedOrigin(scope, cors)
      if (origin !== null) send = withCorsHeaders(send, origin, cors)
    }
    const method = scope.method
    if (method !== 'POST' && (stateless || (method !== 'GET' && method !== 'DELETE'))) {
      // Stateless mode has no GET stream to offer; the SDK client reads 405 as "none".
      const allow = stateless ? 'POST' : 'GET, POST, DELETE'
      return sendJson(send, 405, rpcError(-32000, `Method ${method} not allowed; use ${allow}`), [['allow', allow]])
    }
    let authInfo: AuthInfo | undefined
    if (auth !== null) {
      const outcome = await authenticate(scope, send, auth, logInternal)
      if (outcome.kind === 'refused') return
      authInfo = outcome.info
    }

    let parsedBody: unknown
    let text: string | undefined
    if (method === 'POST') {
      const body = await readBody(scope, receive, limit)
      if (body.kind === 'disconnect') return answerGone(send)
      if (body.kind === 'too-large')
        return sendJson(send, 413, rpcError(-32000, `Payload Too Large: the body must not exceed ${limit} bytes`))
      text = body.text
      try {
        parsedBody = JSON.parse(body.text)
      } catch {
        return sendJson(send, 400, rpcError(-32700, 'Parse error: Invalid JSON'))
      }
    }
    const call: Call = { scope, receive, send, parsedBody, authInfo }

    if (stateless) {
      const pair = await sessions.open(null, scope.state)
      try {
        await answer(call, pair)
      } finally {
        await sessions.close(pair)
      }
      return
    }

    const id = header(scope, 'mcp-session-id')
    if (id !== undefined) {
      const session = sessions.get(id)
      const owner = session === undefined ? (relay?.ownerSocket(id) ?? null) : null
      if (owner !== null) return relay!.forward({ scope, receive, send, body: text, authInfo }, owner)
      // 404 tells a client its session is gone (expired, evicted, deleted) and it should
      // initialize again (spec).
      if (session === undefined) return sendJson(send, 404, rpcError(-32001, 'Session not found'))
      return answerInSession(call, session)
    }
    if (method !== 'POST' || !isInitialization(parsedBody)) {
      return sendJson(send, 400, rpcError(-32000, 'Bad Request: No valid session ID provided'))
    }
    const declared = declaredBytes(parsedBody)
    if (declared.bytes > config.maxClientInfoBytes) {
      const message = `Invalid params: clientInfo and capabilities take ${declared.bytes} bytes of JSON; this server accepts at most ${config.maxClientInfoBytes}`
      return sendJson(send, 400, { jsonrpc: '2.0', error: { code: -32602, message }, id: declared.id })
    }
    const client = clientOf(scope)
    if (sessionTally !== null && !(await admitSession(sessionTally, sessions, client))) return tooManySessions(send)
    const room = sessions.makeRoom(client, sessionCharge(declared.bytes))
    // No reservation was made, so none will be given back: the machine's count is, here.
    if (typeof room === 'string') sessionTally?.release(client)
    if (room === 'client-full') return tooManySessions(send)
    if (room === 'full') return sessionsFull(send)
    let pair: McpPair
    try {
      pair = await sessions.open(room, scope.state)
    } catch (error) {
      sessions.giveBack(room)
      throw error
    }
    try {
      await answer(call, pair)
    } finally {
      sessions.initialized(pair, room)
      await sessions.discardIfLoose(pair)
    }
  }

  async function answerInSession(call: Call, session: McpSession): Promise<void> {
    const stream = call.scope.method === 'GET'
    // Counted from the moment the app takes the GET, not when its answer reaches the socket:
    // requests pipelined behind an endless stream are queued by Node, yet each one still runs.
    const client = clientOf(call.scope)
    if (stream && !(await streamsHeld.take(client))) {
      return tooManyStreams(call.send)
    }
    sessions.begin(session, stream)
    try {
      await answer(call, session.pair)
    } finally {
      sessions.end(session, stream)
      if (stream) streamsHeld.release(client)
    }
  }

  const app = function mcp(scope, receive, send) {
    if (scope.type === 'lifespan') return lifespan(scope, receive, send)
    if (scope.type === 'websocket') return refuseWebSocket(send)
    return http(scope, receive, send)
  } as McpApp
  Object.defineProperty(app, 'sessionCount', { get: () => sessions.size })
  Object.defineProperty(app, 'streamCount', { get: () => sessions.streamCount })
  app.close = close
  Object.defineProperty(app, ADOPT_SHARED_OPTIONS, {
    value: (shared: SharedAppOptions): void => {
      if (options.allowedHosts === undefined && shared.allowedHosts !== undefined) allowed = new Set(shared.allowedHosts)
      if (options.cors === undefined && shared.cors !== undefined) cors = readCors(shared.cors, 'agent', MCP_CORS)
      if (options.auth === undefined && shared.auth !== undefined) auth = readAuth(shared.auth, 'agent')
    },
  })
  return app
}
