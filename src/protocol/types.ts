// The wire contract. Message `type` strings are ASGI's byte for byte, so traces compare
// across languages; field names are camelCase because this is TypeScript.

/** console and pino both fit. */
export interface Logger {
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

export interface TsgiInfo {
  version: string
}

/**
 * The keys your lifespan state holds, declared once by merging into this interface; every
 * `state` (scopes, hook and lifespan contexts, `server.state`, `Embedded.state`) is then typed
 * without a cast. Keys not declared stay `unknown`.
 * @example
 * declare module 'tsgi' {
 *   interface State { scheduler: Scheduler }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging (only an interface takes it) is how users fill it in
export interface State {}

/** The lifespan state as every host hands it out: the declared `State` keys, typed, and any others. */
export type AppState = State & Record<string, unknown>

export interface LifespanScope {
  type: 'lifespan'
  tsgi: TsgiInfo
  /** Shared by every app of the tree; requests see a shallow copy of it. */
  state: AppState
  /** Routers hand it on to their children and to their own lifespan context. */
  logger?: Logger
  /**
   * A tsgi extension: aborted when the server begins to drain, before lifespan.shutdown. The
   * drain waits for in-flight responses, so an app holding long-lived ones (SSE streams, long
   * polls) ends them when this fires. Routers hand it on to their children.
   */
  draining?: AbortSignal
}

export interface HttpScope {
  type: 'http'
  tsgi: TsgiInfo
  httpVersion: string
  method: string
  scheme: 'http' | 'https'
  /** Percent-decoded, then dot-segments resolved; relative to rootPath. Routing matches on it. */
  path: string
  /** As received, undecoded, full. */
  rawPath: string
  /** Without the '?'. */
  queryString: string
  /** The prefix consumed by mounts so far ('' at the top). */
  rootPath: string
  /** Lower-cased names; order and repeats kept. */
  headers: Array<[string, string]>
  client: [string, number] | null
  server: [string, number] | null
  /** A shallow copy of the lifespan state, made per request. */
  state: AppState
  /**
   * The values of the `:name` segments of the mounts and the route that matched, decoded, outer
   * ones first (an inner name wins). Absent when no template with a parameter matched.
   */
  pathParams?: Record<string, string>
  /**
   * The declared templates of the mounts passed so far, joined: '/api' inside mount('/api', ...),
   * '/t/:tenant/api' deeper. With the route's own template it names the route for telemetry
   * ('/api/items/:id'). Absent at the top.
   */
  routeTemplate?: string
}

/**
 * A websocket connection (ASGI www spec 2.5). The app first receives `websocket.connect`, then
 * accepts (`websocket.accept`), refuses (`websocket.close`: HTTP 403) or answers with its own
 * HTTP response (`websocket.http.response.start` + `.body`).
 */
export interface WebSocketScope {
  type: 'websocket'
  tsgi: TsgiInfo
  httpVersion: string
  scheme: 'ws' | 'wss'
  /** Percent-decoded, then dot-segments resolved; relative to rootPath. Routing matches on it. */
  path: string
  /** As received, undecoded, full. */
  rawPath: string
  /** Without the '?'. */
  queryString: string
  /** The prefix consumed by mounts so far ('' at the top). */
  rootPath: string
  /** Lower-cased names; order and repeats kept. */
  headers: Array<[string, string]>
  client: [string, number] | null
  server: [string, number] | null
  /** The subprotocols the client offered, in its order. */
  subprotocols: string[]
  /** A shallow copy of the lifespan state, made per connection. */
  state: Record<string, unknown>
  /** The denial response extension: the app may answer the handshake with its own HTTP response. */
  extensions: { 'websocket.http.response': Record<string, never> }
  /** As on an HTTP scope: the `:name` segments of the mounts and the route that matched. */
  pathParams?: Record<string, string>
  /** As on an HTTP scope: the declared templates of the mounts passed so far. */
  routeTemplate?: string
}

export type Scope = HttpScope | LifespanScope | WebSocketScope

// Messages an app receives.
export interface LifespanStartup {
  type: 'lifespan.startup'
}
export interface LifespanShutdown {
  type: 'lifespan.shutdown'
}
export interface HttpRequest {
  type: 'http.request'
  body: Uint8Array
  moreBody: boolean
}
export interface HttpDisconnect {
  type: 'http.disconnect'
}

export interface WebSocketConnect {
  type: 'websocket.connect'
}
/** One whole message from the client: exactly one of `bytes` (binary) and `text`. */
export interface WebSocketReceive {
  type: 'websocket.receive'
  bytes?: Uint8Array
  text?: string
}
/** The connection is gone: the close code (1005 when the client's frame had none, 1006 without a frame) and its reason. */
export interface WebSocketDisconnect {
  type: 'websocket.disconnect'
  code: number
  reason: string
}

// Messages an app sends.
export interface LifespanStartupComplete {
  type: 'lifespan.startup.complete'
}
export interface LifespanShutdownComplete {
  type: 'lifespan.shutdown.complete'
}
/**
 * `error` and `errors` are tsgi extensions: in process, a failure carries the original values
 * upward so that causes survive composition; anything that serialises messages drops them and
 * keeps `message`.
 */
export interface LifespanStartupFailed {
  type: 'lifespan.startup.failed'
  message?: string
  error?: unknown
  errors?: unknown[]
}
export interface LifespanShutdownFailed {
  type: 'lifespan.shutdown.failed'
  message?: string
  error?: unknown
  errors?: unknown[]
}
export interface HttpResponseStart {
  type: 'http.response.start'
  status: number
  headers?: Array<[string, string]>
}
export interface HttpResponseBody {
  type: 'http.response.body'
  body?: Uint8Array | string
  moreBody?: boolean
}

/** Completes the handshake; `subprotocol` must be one the client offered. */
export interface WebSocketAccept {
  type: 'websocket.accept'
  subprotocol?: string | null
  headers?: Array<[string, string]>
}
/** One whole message to the client: exactly one of `bytes` and `text`. */
export interface WebSocketSend {
  type: 'websocket.send'
  bytes?: Uint8Array | null
  text?: string | null
}
/** Before accept: the handshake is refused with HTTP 403. After it: a close frame (default code 1000). */
export interface WebSocketClose {
  type: 'websocket.close'
  code?: number
  reason?: string | null
}
/** The denial response's head, before accept: the client gets this HTTP answer instead of a websocket. */
export interface WebSocketHttpResponseStart {
  type: 'websocket.http.response.start'
  status: number
  headers?: Array<[string, string]>
}
export interface WebSocketHttpResponseBody {
  type: 'websocket.http.response.body'
  body?: Uint8Array | string
  moreBody?: boolean
}

export type LifespanReceiveMessage = LifespanStartup | LifespanShutdown
export type HttpReceiveMessage = HttpRequest | HttpDisconnect
export type WebSocketReceiveMessage = WebSocketConnect | WebSocketReceive | WebSocketDisconnect
export type ReceiveMessage = LifespanReceiveMessage | HttpReceiveMessage | WebSocketReceiveMessage

export type LifespanSendMessage = LifespanStartupComplete | LifespanStartupFailed | LifespanShutdownComplete | LifespanShutdownFailed
export type HttpSendMessage = HttpResponseStart | HttpResponseBody
export type WebSocketSendMessage = WebSocketAccept | WebSocketSend | WebSocketClose | WebSocketHttpResponseStart | WebSocketHttpResponseBody
export type SendMessage = LifespanSendMessage | HttpSendMessage | WebSocketSendMessage

export type Receive = () => Promise<ReceiveMessage>
export type Send = (message: SendMessage) => Promise<void>
export type App = (scope: Scope, receive: Receive, send: Send) => Promise<void>

/** What lifespan functions and hooks are given. */
export interface LifespanContext {
  state: AppState
  /** Aborted when this step is abandoned (its timeout passed). */
  signal: AbortSignal
  logger: Logger
}

export type LifespanHook = (ctx: LifespanContext) => void | Promise<void>

/** What a lifespan function may yield: declared `State` keys must have their declared types. */
export type StateUpdate = Partial<State> & Record<string, unknown>

/**
 * Setup runs up to the first `yield`; a yielded object is merged into state; teardown runs
 * after it, when the server shuts down. A function that returns without yielding fails the startup.
 */
export type LifespanFn = (
  ctx: LifespanContext,
) => AsyncGenerator<StateUpdate | void, void, void> | AsyncIterator<StateUpdate | void, void, void>

/** The protocol version every scope carries in `tsgi.version`. */
export const TSGI_VERSION = '1.0'
