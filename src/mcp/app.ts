// tsgi/mcp: an MCP server from @modelcontextprotocol/sdk as a tsgi child app, on the SDK's
// web-standard streamable HTTP transport through the fetch bridge. Why that transport: the
// SDK's node transport is this same transport wrapped in @hono/node-server's node<->fetch
// conversion, so hosting it through a node bridge would do strictly more work per request.
//
// Stateful by default (one server per session; POST carries messages, GET opens the session's
// SSE stream, DELETE ends the session); `stateless: true` builds a fresh server per request.
// The lifespan's shutdown closes every session, so open SSE streams end with it.

import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { respondWithFetch } from '../fetch/app.ts'
import { McpSessions, type McpPair, type McpServerFactory } from './sessions.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, HttpScope, Receive, Send } from '../protocol/types.ts'
import { answerGone, header, hostProblem, readBody, readLimit, rpcError, sendJson, serviceLifespan } from '../sdk/http.ts'

export type { McpServerContext, McpServerFactory, McpServerLike } from './sessions.ts'

export interface McpAppOptions {
  /**
   * Builds one server: called per session, or per request when stateless, with the lifespan
   * state (what startup hooks put there: a scheduler, a pool) for its tools to use.
   */
  server: McpServerFactory
  /** A fresh server per request, no sessions, no GET stream. Default false. */
  stateless?: boolean
  /**
   * Host names (port ignored; IPv6 in brackets) this app answers; others get 403. Default:
   * no check. A server on localhost should set ['localhost', '127.0.0.1', '[::1]'] against
   * DNS rebinding.
   */
  allowedHosts?: string[]
  /** A POST body past this many bytes gets 413. Default 4 MiB, the SDK's own limit. */
  maxBodyBytes?: number
  /** Answer POSTs with plain JSON instead of an SSE stream. Default false (SSE, as the SDK). */
  jsonResponse?: boolean
}

/** The App, plus what a host needs to end it early (a drain) or to watch it. */
export interface McpApp extends App {
  /** Stops taking requests (503) and closes every session; idempotent. The lifespan's shutdown calls it. */
  close(): Promise<void>
  /** Live sessions (stateful mode). */
  readonly sessionCount: number
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * @example
 * const mcp = mcpApp({ server: () => {
 *   const server = new McpServer({ name: 'demo', version: '1.0.0' })
 *   server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
 *   return server
 * } })
 * await serve(router([mount('/mcp', mcp)]))
 */
export function mcpApp(options: McpAppOptions): McpApp {
  if (options === null || typeof options !== 'object' || typeof options.server !== 'function') {
    throw new InvalidArgumentError('mcpApp needs { server: () => McpServer }: a function that builds a server')
  }
  if (options.allowedHosts !== undefined && !Array.isArray(options.allowedHosts)) {
    throw new InvalidArgumentError(`mcpApp allowedHosts must be an array of host names, got ${typeof options.allowedHosts}`)
  }
  const stateless = options.stateless === true
  const limit = readLimit(options.maxBodyBytes, 'mcpApp maxBodyBytes', DEFAULT_MAX_BODY_BYTES)
  const allowed = options.allowedHosts === undefined ? null : new Set(options.allowedHosts)
  const sessions = new McpSessions({ factory: options.server, jsonResponse: options.jsonResponse === true })
  let closing: Promise<void> | null = null
  let draining = false

  function close(): Promise<void> {
    closing ??= sessions.closeAll().then((problems) => {
      if (problems.length > 0) throw new Error(problems.join('; '))
    })
    return closing
  }

  /** The server began to drain: refuse new work, end the streams that would hold the drain open. */
  function drain(): void {
    draining = true
    sessions.endStandaloneStreams()
  }

  const lifespan = serviceLifespan('mcp', drain, close)

  async function http(scope: HttpScope, receive: Receive, send: Send): Promise<void> {
    if (draining || closing !== null) return sendJson(send, 503, rpcError(-32000, 'Service Unavailable: the MCP server is shutting down'))
    if (allowed !== null) {
      const problem = hostProblem(scope, allowed)
      if (problem !== null) return sendJson(send, 403, rpcError(-32000, problem))
    }
    const method = scope.method
    if (method !== 'POST' && (stateless || (method !== 'GET' && method !== 'DELETE'))) {
      // Stateless mode has no GET stream to offer; the SDK client reads 405 as "none".
      const allow = stateless ? 'POST' : 'GET, POST, DELETE'
      return sendJson(send, 405, rpcError(-32000, `Method ${method} not allowed; use ${allow}`), [['allow', allow]])
    }

    let parsedBody: unknown
    if (method === 'POST') {
      const body = await readBody(scope, receive, limit)
      if (body.kind === 'disconnect') return answerGone(send)
      if (body.kind === 'too-large')
        return sendJson(send, 413, rpcError(-32000, `Payload Too Large: the body must not exceed ${limit} bytes`))
      try {
        parsedBody = JSON.parse(body.text)
      } catch {
        return sendJson(send, 400, rpcError(-32700, 'Parse error: Invalid JSON'))
      }
    }

    if (stateless) {
      const pair = await sessions.open(false, scope.state)
      try {
        await answer(scope, receive, send, pair, parsedBody)
      } finally {
        await sessions.close(pair)
      }
      return
    }

    const id = header(scope, 'mcp-session-id')
    if (id !== undefined) {
      const pair = sessions.get(id)
      // 404 tells a client its session is gone and it should initialize again (spec).
      if (pair === undefined) return sendJson(send, 404, rpcError(-32001, 'Session not found'))
      return answer(scope, receive, send, pair, parsedBody)
    }
    if (method !== 'POST' || !isInitialization(parsedBody)) {
      return sendJson(send, 400, rpcError(-32000, 'Bad Request: No valid session ID provided'))
    }
    const pair = await sessions.open(true, scope.state)
    try {
      await answer(scope, receive, send, pair, parsedBody)
    } finally {
      await sessions.discardIfLoose(pair)
    }
  }

  const app = function mcp(scope, receive, send) {
    if (scope.type === 'lifespan') return lifespan(scope, receive, send)
    return http(scope, receive, send)
  } as McpApp
  Object.defineProperty(app, 'sessionCount', { get: () => sessions.size })
  app.close = close
  return app
}

function isInitialization(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body)
}

function answer(scope: HttpScope, receive: Receive, send: Send, pair: McpPair, parsedBody: unknown): Promise<void> {
  // The body was read (and bounded) here, so the transport gets it parsed and never reads one.
  return respondWithFetch(scope, receive, send, (request) => pair.transport.handleRequest(request, { parsedBody }), {
    bodyConsumed: true,
  })
}
