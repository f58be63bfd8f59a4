// mcpServerApp's options, and their checks: each is read once, when the app is built, with an
// error naming the option and the value; an unknown name is refused with the closest known one.

import type { AuthInfo, McpServer, ServerEventBus, Server as LowLevelServer, RequestStateCodec } from '@modelcontextprotocol/server'
import { optionNames, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { AppState, Logger } from '../protocol/types.ts'
import { readAuth, type AuthOptions } from '../sdk/auth.ts'
import { readCors, type CorsOptions, type CorsPolicy } from '../sdk/cors.ts'
import { readCount, readLimit } from '../sdk/http.ts'

/** What the factory is called with, per request (as createMcpHandler calls it). */
export interface McpServerContext {
  /** The lifespan state (a per-request shallow copy): what startup hooks put there. */
  state: AppState
  /** 'modern' for 2026-07-28 traffic, 'legacy' for a 2025-era request served statelessly. */
  era: 'legacy' | 'modern'
  /** The caller, as `auth.verify` found it (when auth is on). */
  authInfo?: AuthInfo
  /** The HTTP request being served. */
  requestInfo?: Request
  /**
   * Signs and checks multi-round `requestState` with the key every worker shares: pass
   * `requestState.verify` to the server's `requestState.verify` option and mint with `mint`.
   */
  requestState: RequestStateCodec
}

export type McpServerAppFactory = (context: McpServerContext) => McpServer | LowLevelServer | Promise<McpServer | LowLevelServer>

export interface McpServerAppOptions {
  /** Builds a server (McpServer or the low-level Server) for one request. */
  server: McpServerAppFactory
  /** 2025-era clients: 'stateless' (default) serves them per request; 'reject' refuses them. */
  legacy?: 'stateless' | 'reject'
  /**
   * Where `notify` publishes and `subscriptions/listen` streams subscribe. Default: one that
   * spans the workers of serve({ workers }) (in process without workers). For several
   * machines, one over your pub/sub (two methods: publish, subscribe).
   */
  bus?: ServerEventBus
  /** 2026-07-28 answers: 'auto' (default: JSON unless the tool streams), 'sse' or 'json'. */
  responseMode?: 'auto' | 'sse' | 'json'
  /** SSE keep-alive comment every this many ms; 0 for none. Default 15 000 (the SDK's). */
  keepAliveMs?: number
  /** Open `subscriptions/listen` streams at most, per process. Default 1 024 (the SDK's). */
  maxSubscriptions?: number
  /**
   * The key `requestState` is signed with (at least 32 bytes). Default: the environment variable
   * TSGI_MCP_REQUEST_STATE_KEY, else a random one made once per machine and shared by its
   * workers. Several machines behind one balancer need the same key: set it on each.
   */
  requestStateKey?: string | Uint8Array
  /** Host names this app answers (port ignored; IPv6 in brackets); others get 403. Default: no check. */
  allowedHosts?: string[]
  /** CORS for browser clients; off by default. */
  cors?: CorsOptions
  /** Bearer-token auth; the AuthInfo reaches the factory and tools as `authInfo`. Off by default. */
  auth?: AuthOptions
  /** A POST body past this many bytes gets 413. Default 4 MiB, the SDK's own limit. */
  maxBodyBytes?: number
  /** Where internal errors are logged; default: the lifespan's logger, else console. */
  logger?: Logger
  /** Log internal errors' messages too (they may hold secrets). Default false. */
  logDetails?: boolean
}

export interface McpServerConfig {
  legacy: 'stateless' | 'reject'
  bus: ServerEventBus | null
  responseMode: 'auto' | 'sse' | 'json'
  keepAliveMs: number
  maxSubscriptions: number
  requestStateKey: Uint8Array | null
  limit: number
  allowed: Set<string> | null
  cors: CorsPolicy | null
  auth: AuthOptions | null
}

/** Every option name, held complete by the compiler; any other is refused. */
export const mcpServerOptionNames = optionNames<McpServerAppOptions>()([
  'server',
  'legacy',
  'bus',
  'responseMode',
  'keepAliveMs',
  'maxSubscriptions',
  'requestStateKey',
  'allowedHosts',
  'cors',
  'auth',
  'maxBodyBytes',
  'logger',
  'logDetails',
])

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
const DEFAULT_KEEP_ALIVE_MS = 15_000
const DEFAULT_MAX_SUBSCRIPTIONS = 1024
const MIN_KEY_BYTES = 32
/** The environment variable that gives every machine the same requestState key. */
export const REQUEST_STATE_KEY_ENV = 'TSGI_MCP_REQUEST_STATE_KEY'

/** The headers a 2026-07-28 or 2025-era client sends and reads. */
export const MCP_SERVER_CORS = {
  methods: 'GET, POST, DELETE, OPTIONS',
  allowHeaders: 'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID',
  exposeHeaders: 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
}

function fail(message: string): never {
  throw new InvalidArgumentError(`mcpServerApp ${message}`)
}

export function readMcpServerOptions(options: McpServerAppOptions, env: NodeJS.ProcessEnv = process.env): McpServerConfig {
  if (options === null || typeof options !== 'object' || typeof options.server !== 'function') {
    throw new InvalidArgumentError('mcpServerApp needs { server: (context) => McpServer }: a function that builds a server per request')
  }
  refuseUnknownOptions(options, mcpServerOptionNames, 'mcpServerApp()', (message) => {
    throw new InvalidArgumentError(message)
  })
  const { legacy = 'stateless', responseMode = 'auto', bus } = options
  if (legacy !== 'stateless' && legacy !== 'reject') fail(`legacy must be 'stateless' or 'reject', got ${show(legacy)}`)
  if (responseMode !== 'auto' && responseMode !== 'sse' && responseMode !== 'json')
    fail(`responseMode must be 'auto', 'sse' or 'json', got ${show(responseMode)}`)
  if (bus !== undefined && (bus === null || typeof bus.publish !== 'function' || typeof bus.subscribe !== 'function'))
    fail(`bus must be a ServerEventBus ({ publish(event), subscribe(listener) }), got ${show(bus)}`)
  if (options.allowedHosts !== undefined && !Array.isArray(options.allowedHosts))
    fail(`allowedHosts must be an array of host names, got ${show(options.allowedHosts)}`)
  if (options.logDetails !== undefined && typeof options.logDetails !== 'boolean')
    fail(`logDetails must be a boolean, got ${show(options.logDetails)}`)
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS
  if (!Number.isInteger(keepAliveMs) || keepAliveMs < 0) fail(`keepAliveMs must be 0 or a positive integer, got ${show(keepAliveMs)}`)
  return {
    legacy,
    bus: bus ?? null,
    responseMode,
    keepAliveMs,
    maxSubscriptions: readCount(options.maxSubscriptions, 'mcpServerApp maxSubscriptions', DEFAULT_MAX_SUBSCRIPTIONS),
    requestStateKey: readKey(options.requestStateKey, 'requestStateKey') ?? readKey(env[REQUEST_STATE_KEY_ENV], REQUEST_STATE_KEY_ENV),
    limit: readLimit(options.maxBodyBytes, 'mcpServerApp maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
    allowed: options.allowedHosts === undefined ? null : new Set(options.allowedHosts),
    cors: readCors(options.cors, 'mcpServerApp', MCP_SERVER_CORS),
    auth: readAuth(options.auth, 'mcpServerApp'),
  }
}

/** A key of at least 32 bytes (a string counts its UTF-8 bytes); never shown in an error. */
function readKey(value: unknown, where: string): Uint8Array | null {
  if (value === undefined || value === '') return null
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : null
  if (bytes === null) fail(`${where} must be a string or a Uint8Array of at least ${MIN_KEY_BYTES} bytes, got ${show(value)}`)
  if (bytes.byteLength < MIN_KEY_BYTES) fail(`${where} must be at least ${MIN_KEY_BYTES} bytes long, got ${bytes.byteLength}`)
  return bytes
}
