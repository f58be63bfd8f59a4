// mcpApp's options, and their checks: every number and function is checked once, when the
// app is built, with an error naming the option and the value.

import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { MemoryEventStore } from './event-store.ts'
import type { McpServerFactory } from './sessions.ts'
import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { Logger } from '../protocol/types.ts'
import { sessionCharge, type BudgetLimits } from './session-budget.ts'
import { readAuth, type AuthOptions } from '../sdk/auth.ts'
import { readCors, type CorsOptions, type CorsPolicy } from '../sdk/cors.ts'
import { readCount, readLimit } from '../sdk/http.ts'

export interface McpAppOptions {
  /**
   * Builds one server: called per session (with the session's id), or per request when
   * stateless, with the lifespan state (what startup hooks put there: a scheduler, a pool).
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
  /**
   * A POST body past this many bytes gets 413. Default 1 MiB, the same as serve()'s and
   * embed()'s own limit, which applies first: raise both to take larger messages.
   */
  maxBodyBytes?: number
  /** Answer POSTs with plain JSON instead of an SSE stream. Default false (SSE, as the SDK). */
  jsonResponse?: boolean
  /**
   * Live sessions at most. Default 1 000. At the cap, a new session evicts the least recently
   * used idle one (no request in flight, no GET stream open); when none is idle, initialize
   * gets 503 with Retry-After.
   */
  maxSessions?: number
  /** A session without a request for this long is closed; its id then gets 404. Default 15 min. */
  sessionIdleMs?: number
  /**
   * Live sessions one client address may hold (behind `trustProxy`, the forwarded address).
   * Default 100. At it, the client's own least recently used idle session makes room; when none
   * is idle, initialize gets 429 with Retry-After.
   */
  maxSessionsPerClient?: number
  /** Open GET streams one client address may hold; past it a GET gets 429 with Retry-After. Default 100. */
  maxStreamsPerClient?: number
  /**
   * The whole session table's budget in bytes: each session is charged 32 KiB plus twice the
   * JSON size of its `clientInfo` and `capabilities`. At it, sessions are evicted as at
   * `maxSessions`. Default 64 MiB.
   */
  maxSessionTableBytes?: number
  /**
   * An initialize whose `clientInfo` and `capabilities` together take more JSON bytes than this
   * is refused with a JSON-RPC error (-32602). Default 16 KiB.
   */
  maxClientInfoBytes?: number
  /** CORS for browser clients; off by default (no CORS headers at all). */
  cors?: CorsOptions
  /** Bearer-token auth; the AuthInfo reaches tools as `extra.authInfo`. Off by default. */
  auth?: AuthOptions
  /** Streams carry event ids and a client can resume one with Last-Event-ID. Default false. */
  resumable?: boolean
  /** One event store per session (called per session); default with `resumable`: a bounded in-memory one. */
  eventStore?: () => EventStore
  /** The `retry:` milliseconds sent to clients on resumable streams. Default: the SDK's (none). */
  retryInterval?: number
  /** Where internal errors are logged; default: the lifespan's logger, else console. */
  logger?: Logger
  /** Log internal errors' messages too (they may hold secrets). Default false. */
  logDetails?: boolean
}

/** Every name McpAppOptions has: mcpApp() refuses any other. Add new options here. */
export const mcpOptionNames = optionNames<McpAppOptions>()([
  'server',
  'stateless',
  'allowedHosts',
  'maxBodyBytes',
  'jsonResponse',
  'maxSessions',
  'sessionIdleMs',
  'maxSessionsPerClient',
  'maxStreamsPerClient',
  'maxSessionTableBytes',
  'maxClientInfoBytes',
  'cors',
  'auth',
  'resumable',
  'eventStore',
  'retryInterval',
  'logger',
  'logDetails',
])

export interface McpConfig {
  stateless: boolean
  limit: number
  allowed: Set<string> | null
  budget: BudgetLimits
  maxStreamsPerClient: number
  maxClientInfoBytes: number
  idleMs: number
  cors: CorsPolicy | null
  auth: AuthOptions | null
  eventStore: (() => EventStore) | null
  retryInterval: number | undefined
}

// The host's (serve(), embed()) default: a larger one here would never be reached by default.
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
const DEFAULT_MAX_SESSIONS = 1_000
const DEFAULT_PER_CLIENT = 100
const DEFAULT_TABLE_BYTES = 64 * 1024 * 1024
const DEFAULT_CLIENT_INFO_BYTES = 16 * 1024
const DEFAULT_SESSION_IDLE_MS = 15 * 60 * 1000

/** The request headers the MCP streamable HTTP transport reads, and the one clients must see. */
export const MCP_CORS = {
  methods: 'GET, POST, DELETE, OPTIONS',
  allowHeaders: 'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
  exposeHeaders: 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
}

export function readMcpOptions(options: McpAppOptions): McpConfig {
  if (options === null || typeof options !== 'object' || typeof options.server !== 'function') {
    throw new InvalidArgumentError('mcpApp needs { server: () => McpServer }: a function that builds a server')
  }
  refuseUnknownOptions(options, mcpOptionNames, 'mcpApp()', (message) => {
    throw new InvalidArgumentError(message)
  })
  if (options.allowedHosts !== undefined && !Array.isArray(options.allowedHosts)) {
    throw new InvalidArgumentError(`mcpApp allowedHosts must be an array of host names, got ${typeof options.allowedHosts}`)
  }
  if (options.eventStore !== undefined && typeof options.eventStore !== 'function') {
    throw new InvalidArgumentError(
      `mcpApp eventStore must be a function that builds one store per session, got ${typeof options.eventStore}`,
    )
  }
  const retryInterval = options.retryInterval === undefined ? undefined : readCount(options.retryInterval, 'mcpApp retryInterval', 0)
  const eventStore = options.eventStore ?? (options.resumable === true ? () => new MemoryEventStore() : null)
  const maxClientInfoBytes = readLimit(options.maxClientInfoBytes, 'mcpApp maxClientInfoBytes', DEFAULT_CLIENT_INFO_BYTES)
  const maxBytes = readLimit(options.maxSessionTableBytes, 'mcpApp maxSessionTableBytes', DEFAULT_TABLE_BYTES)
  // A budget that could not hold one session with the largest clientInfo let in would refuse it
  // with 503 forever: say so now.
  if (maxBytes < sessionCharge(maxClientInfoBytes)) {
    throw new InvalidArgumentError(
      `mcpApp maxSessionTableBytes (${maxBytes}) must hold at least one session with the largest clientInfo let in: ${sessionCharge(maxClientInfoBytes)} bytes for maxClientInfoBytes ${maxClientInfoBytes}`,
    )
  }
  return {
    stateless: options.stateless === true,
    limit: readLimit(options.maxBodyBytes, 'mcpApp maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
    allowed: options.allowedHosts === undefined ? null : new Set(options.allowedHosts),
    budget: {
      maxSessions: readCount(options.maxSessions, 'mcpApp maxSessions', DEFAULT_MAX_SESSIONS),
      maxBytes,
      maxPerClient: readCount(options.maxSessionsPerClient, 'mcpApp maxSessionsPerClient', DEFAULT_PER_CLIENT),
    },
    maxStreamsPerClient: readCount(options.maxStreamsPerClient, 'mcpApp maxStreamsPerClient', DEFAULT_PER_CLIENT),
    maxClientInfoBytes,
    idleMs: readCount(options.sessionIdleMs, 'mcpApp sessionIdleMs', DEFAULT_SESSION_IDLE_MS),
    cors: readCors(options.cors, 'mcpApp', MCP_CORS),
    auth: readAuth(options.auth, 'mcpApp'),
    eventStore,
    retryInterval,
  }
}
