// The scenario format: plain data that any scenario app (TypeScript, Python, yours) can
// interpret and any driver can run. Nothing here is executable; the runner reads it.
//
// A scenario is: an app tree and server options (setup), what the runner does to the server
// (actions), and what must be observed (expect). The apps record what happens to them as
// trace events (see conformance/README.md for the vocabulary).

export type Level = 'P' | 'C' | 'S' | 'X' | 'H' | 'W'

/** What an app (or a hook, or a router's own lifespan) does when a lifespan step reaches it. */
export interface StepSpec {
  /** Waits this long first, asynchronously. */
  delayMs?: number
  /** Busy-waits this long first, blocking the event loop (a CPU-bound startup). */
  blockMs?: number
  /**
   * How the step ends: `complete` (default) sends `*.complete`; `fail` sends `*.failed` with
   * `message`; `fail-no-message` sends `*.failed` without a message key; `throw` raises
   * `message`; `return` returns without answering; `hang` never answers; `complete-twice`
   * sends `*.complete` twice (the second must be refused by send); `fail-then-throw` sends
   * `*.failed` and then raises.
   */
  then?: 'complete' | 'fail' | 'fail-no-message' | 'fail-then-throw' | 'throw' | 'return' | 'hang' | 'complete-twice'
  message?: string
  /** Written into the lifespan state before answering (startup only). */
  state?: Record<string, string>
  /** Keys looked up in the lifespan state when the step starts; each records `<name>.read.<key>=<value|missing>`. */
  reads?: string[]
}

/** A leaf app: answers lifespan per its steps and HTTP per the shared endpoint vocabulary. */
export interface LeafSpec {
  kind: 'app'
  /** Names its trace events (`<name>.startup`) and its HTTP answers (`{"app": name}`). */
  name: string
  /**
   * `on` (default) speaks lifespan; `unsupported` raises before receiving anything (an
   * HTTP-only app); `silent` returns at once without receiving anything.
   */
  lifespan?: 'on' | 'unsupported' | 'silent'
  /** Blocks the event loop this long as soon as it is called, before anything else. */
  blockFirstMs?: number
  /** Messages sent before receiving lifespan.startup; each records `<name>.send.ok` or `<name>.send.error`. */
  before?: Array<'shutdown-complete' | 'unknown-type' | 'http-response-start'>
  /** Records `<name>.scope.type=…`, `<name>.scope.state=object|missing`, and `<name>.scope.version` (detail: the version). */
  inspectScope?: boolean
  startup?: StepSpec
  shutdown?: StepSpec
  /** Instead of waiting for lifespan.shutdown after startup.complete: wait, then throw or return. */
  afterStartup?: { delayMs: number; then: 'throw' | 'return'; message?: string }
  /** After startup completes, starts a timer that is never cleared (a forgotten interval). */
  leakTimer?: boolean
}

/** A router's own lifespan function: setup before its children, teardown after them. */
export interface RouterLifespanSpec {
  setup?: HookSpec
  teardown?: HookSpec
  yields?: Record<string, unknown>
}

/** `same` mounts an app already built earlier in the tree (by name) a second time. */
export type RouteSpec =
  | { mount: string; app: AppSpec }
  | { mount: string; same: string }
  | { route: string; methods: string[]; app: AppSpec }

export interface RouterSpec {
  kind: 'router'
  /** Names its own lifespan's events: `<name>.setup`, `<name>.teardown`. */
  name: string
  routes: RouteSpec[]
  lifespan?: RouterLifespanSpec
  /** Bounds each child's startup / shutdown step. */
  startupTimeoutMs?: number
  shutdownTimeoutMs?: number
}

export type AppSpec = LeafSpec | RouterSpec

/** A server-level hook (`onStartup[i]` / `onShutdown[i]`); records `hook.<kind>.<i>` when it runs. */
export interface HookSpec {
  /** The function's name, as step names and logs show it. */
  name?: string
  delayMs?: number
  /** `ok` (default), `throw` (raises `message`), `hang` (waits until its signal aborts, recording `.aborted`). */
  then?: 'ok' | 'throw' | 'hang'
  message?: string
  state?: Record<string, string>
  reads?: string[]
  /** Records `<event>.ctx=<keys>`: which of state, signal (an AbortSignal) and logger it was given. */
  inspectContext?: boolean
}

/** A server-level lifespan function (`lifespan[i]`); records `lifespan.<i>.setup` / `.teardown`. */
export interface LifespanFnSpec {
  name?: string
  setup?: HookSpec
  teardown?: HookSpec
  /** Yielded at the end of setup: merged into state. */
  yields?: Record<string, unknown>
}

/** What the server is asked to do around the app. */
export interface ServerSpec {
  onStartup?: HookSpec[]
  onShutdown?: HookSpec[]
  lifespan?: LifespanFnSpec[]
  startupTimeoutMs?: number
  shutdownTimeoutMs?: number
  drainTimeoutMs?: number
  logDetails?: boolean
  maxBodyBytes?: number
  /** Binds a port that is already taken (the runner holds it). */
  portTaken?: boolean
  /**
   * A shutdown delay: after the signal, keep listening and serving this long (readiness
   * failing) before the drain, as a rollout behind a load balancer needs.
   */
  shutdownDelayMs?: number
  /** Answer GET /livez and /readyz (503 from the start of the shutdown) before the app. */
  health?: boolean
}

export interface Setup {
  app: AppSpec
  server?: ServerSpec
}

/** A boot or a stop: resolved, or failed with these facts. */
export type OutcomeExpect =
  | { ok: true }
  /** Either way: the action is part of the story, its outcome is not. */
  | { ok: 'either' }
  | {
      ok: false
      /** Each must appear in the error message (in process) or the server's output (as a process). */
      message?: string[]
      /** Error class name and code (in process only). */
      error?: string
      code?: string
      /** The error's cause: class name and message parts (in process only). */
      cause?: { error?: string; code?: string; message?: string[] }
      /** Messages of `errors` beyond the first, each must appear in one of them (in process only). */
      alsoMessages?: string[]
    }

export interface HttpExpect {
  status?: number
  /** Each key must equal (deep) the same key of the JSON body. */
  json?: Record<string, unknown>
  bodyIncludes?: string[]
  bodyExcludes?: string[]
  /** An empty body. */
  noBody?: boolean
  /** Header name (lower-case) to its values in order; a string matches a single value. */
  headers?: Record<string, string | string[]>
  /** Header name to parts its (joined) value must contain, in any order. */
  headerIncludes?: Record<string, string[]>
  /** The request fails instead: the connection is cut, or never accepted. */
  fails?: 'reset' | 'refused' | 'any'
}

/** One websocket message: text, or bytes written as hex. */
export type WebSocketFrame = { text: string } | { bytesHex: string }

/** What a websocket client saw. */
export interface WebSocketExpect {
  /** The handshake was refused with this HTTP status (the connection never opened). */
  status?: number
  /** Refused: parts the answer's body must contain. */
  bodyIncludes?: string[]
  /** Header name (lower-case) to value, on the 101 or on the refusal. */
  headers?: Record<string, string>
  /** The subprotocol the server picked ('' for none). */
  subprotocol?: string
  /** The messages received, in order, exactly (once that many arrived). */
  messages?: WebSocketFrame[]
  /** The first message, parsed as JSON: each key must equal (deep) the same key. */
  json?: Record<string, unknown>
  /** How the server closed it; `code` may list the codes accepted. */
  close?: { code?: number | number[]; reason?: string }
  /** The connection could not be made at all (refused, reset). */
  fails?: boolean
}

export type Action =
  /**
   * Opens a websocket (a real client), sends `send` (and `sendSizeBytes`: one text message of
   * that many bytes), waits for as many messages as `expect.messages` lists, then ends it as
   * asked: `closeWith` a code and reason, `terminate` (no close frame), or, by default, waits
   * for the server's close when `expect.close` says one comes, else closes with 1000. With
   * `background` it stays open until a `settle` (a stop closes it from the server's side).
   */
  | {
      do: 'websocket'
      path: string
      protocols?: string[]
      send?: WebSocketFrame[]
      sendSizeBytes?: number
      closeWith?: { code: number; reason: string }
      terminate?: boolean
      expect?: WebSocketExpect
      background?: string
    }
  /** Starts the server around the app and waits until it listens (or fails). */
  | { do: 'boot'; expect?: OutcomeExpect; background?: string; withinMs?: number }
  /** Asks for a graceful stop (close() in process, SIGTERM for a process) and waits for it. */
  | { do: 'stop'; expect?: OutcomeExpect; background?: string; withinMs?: number }
  /** Closes twice at once (in process). */
  | { do: 'stop-twice'; expect?: OutcomeExpect }
  | {
      do: 'request'
      method?: string
      path: string
      /** Chunks sent one by one (a streamed body). */
      body?: string[]
      headers?: Record<string, string | string[]>
      expect?: HttpExpect
      /** Do not wait: the result is checked by a later `settle` with this name. */
      background?: string
      /** Aborts the request this long after sending its head (a client that goes away). */
      abortAfterMs?: number
      /** Reads nothing of the response for this long (a slow client), recording `@reading` when it starts. */
      readDelayMs?: number
    }
  /** Waits for a background action and checks its result. */
  | { do: 'settle'; name: string; expect?: OutcomeExpect | HttpExpect | WebSocketExpect }
  | { do: 'signal'; signal: 'SIGTERM' | 'SIGINT' }
  /** Waits for the process to end. `code`: a number, or 'nonzero'; `withinMs` counts from the call. */
  | { do: 'exit'; code?: number | 'nonzero'; withinMs?: number }
  | { do: 'wait'; ms: number }
  /** Waits until the trace holds the event. */
  | { do: 'wait-for'; event: string; timeoutMs?: number }
  /** Opens an HTTP/1.1 keep-alive connection, makes one request on it, and leaves it idle. */
  | { do: 'idle-connection' }
  /** Tries a new TCP connection: it must be refused (or, with `accepted`, succeed). */
  | { do: 'connect'; expect: 'refused' | 'accepted' }

export interface Expectation {
  /** The scenario apps' own events, exactly, in order (runner and lifecycle events excluded). */
  trace?: string[]
  /** Each list must appear in this order within the whole trace (other events may sit between). */
  order?: string[][]
  present?: string[]
  absent?: string[]
  /** Each must appear exactly once. */
  once?: string[]
  /** Event name to text its detail must contain. */
  detail?: Record<string, string[]>
  /** The server's log (in process: the logger; a process: stdout and stderr). */
  logIncludes?: string[]
  logExcludes?: string[]
  /** The final lifecycle phase (in process with serve() only). */
  phase?: string
  /** What a LifespanManager driving the app reports after the actions (in process only). */
  manager?: { supported?: boolean; state?: Record<string, unknown> }
}

export interface Scenario {
  id: string
  level: Level
  title: string
  /** Where the behaviour comes from: SCENARIOS.md, an anchor test, the design document. */
  source: string
  setup: Setup
  actions: Action[]
  expect?: Expectation
}
