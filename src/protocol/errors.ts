// Every error tsgi throws, one catalogue. Each class has `name` equal to its class name and a
// literal `code` that callers can switch on; messages name the step and the offending value.

export type ErrorCode =
  | 'TSGI_ERR_STARTUP'
  | 'TSGI_ERR_SHUTDOWN'
  | 'TSGI_ERR_TIMEOUT'
  | 'TSGI_ERR_PROTOCOL'
  | 'TSGI_ERR_INVALID_ARGUMENT'
  | 'TSGI_ERR_BODY_TOO_LARGE'
  | 'TSGI_ERR_SERVER_CLOSED'
  | 'TSGI_ERR_CLIENT_DISCONNECTED'
  | 'TSGI_ERR_UNAVAILABLE'
  | 'TSGI_ERR_WEBSOCKET_CLOSED'
  | 'TSGI_ERR_TLS_FILE'

interface FailureOptions {
  cause?: unknown
  /** Every error collected, the primary one first. */
  errors?: unknown[]
}

/** Startup failed: a child, a lifespan function, a hook, or the bind. `cause` is the first error. */
export class LifespanStartupError extends Error {
  override readonly name = 'LifespanStartupError'
  readonly code = 'TSGI_ERR_STARTUP' as const
  readonly errors: unknown[]
  constructor(message: string, options: FailureOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.errors = options.errors ?? ('cause' in options && options.cause !== undefined ? [options.cause] : [])
  }
}

/** One or more shutdown steps failed; every step still ran. `cause` is the first error. */
export class LifespanShutdownError extends Error {
  override readonly name = 'LifespanShutdownError'
  readonly code = 'TSGI_ERR_SHUTDOWN' as const
  readonly errors: unknown[]
  constructor(message: string, options: FailureOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.errors = options.errors ?? ('cause' in options && options.cause !== undefined ? [options.cause] : [])
  }
}

export type LifespanPhaseName = 'startup' | 'shutdown'

/** A step ran past its time limit. */
export class LifespanTimeoutError extends Error {
  override readonly name = 'LifespanTimeoutError'
  readonly code = 'TSGI_ERR_TIMEOUT' as const
  constructor(
    readonly phase: LifespanPhaseName,
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${phase} step '${step}' did not finish within ${timeoutMs} ms`)
  }
}

/** A message that the lifespan state machine does not allow in its current state. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  readonly code = 'TSGI_ERR_PROTOCOL' as const
  constructor(
    message: string,
    readonly state?: string,
    readonly messageType?: string,
  ) {
    super(message)
  }
}

/** Bad input caught when the app tree or the server is built, before any request. */
export class InvalidArgumentError extends TypeError {
  override readonly name = 'InvalidArgumentError'
  readonly code = 'TSGI_ERR_INVALID_ARGUMENT' as const
}

/** A request body passed the configured limit. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
  readonly code = 'TSGI_ERR_BODY_TOO_LARGE' as const
  constructor(readonly limitBytes: number) {
    super(`request body exceeds the limit of ${limitBytes} bytes`)
  }
}

/** The server (or a child app) is shutting down and takes no new work. */
export class ServerClosedError extends Error {
  override readonly name = 'ServerClosedError'
  readonly code = 'TSGI_ERR_SERVER_CLOSED' as const
}

/** The client went away before the request body ended; what was read so far is incomplete. */
export class ClientDisconnectedError extends Error {
  override readonly name = 'ClientDisconnectedError'
  readonly code = 'TSGI_ERR_CLIENT_DISCONNECTED' as const
}

/**
 * A service the request needs (a database, say) cannot be reached right now; the request may
 * be retried after `retryAfterSeconds`. Its message is safe for clients; `cause` is not.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError'
  readonly code = 'TSGI_ERR_UNAVAILABLE' as const
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The ServiceUnavailableError in `error` or in its chain of causes, if any. */
export function unavailableIn(error: unknown): ServiceUnavailableError | null {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceUnavailableError) return e
  }
  return null
}

/** `websocket.send` or `websocket.close` after the connection closed (ASGI: the server raises, the app stops). */
export class WebSocketClosedError extends Error {
  override readonly name = 'WebSocketClosedError'
  readonly code = 'TSGI_ERR_WEBSOCKET_CLOSED' as const
}

/**
 * A TLS key, certificate or CA file (serve()'s `tls.keyFile`, `certFile`, `caFile`) that could not
 * be read or used, at startup or on a SIGHUP reload; `file` names it. Never carries the file's text.
 */
export class TlsFileError extends Error {
  override readonly name = 'TlsFileError'
  readonly code = 'TSGI_ERR_TLS_FILE' as const
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A readable one-line description of any thrown value, for messages that go upward. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}

/**
 * The original errors behind a lifespan failure: a LifespanStartupError or LifespanShutdownError
 * is unwrapped to what it carries, so a cause survives any depth of composition. A failure that
 * carries nothing (a bare `startup.failed` message) stands for itself.
 */
export function originalErrors(error: unknown): { cause: unknown; errors: unknown[] } {
  if ((error instanceof LifespanStartupError || error instanceof LifespanShutdownError) && error.errors.length > 0) {
    return { cause: error.cause ?? error.errors[0], errors: error.errors }
  }
  return { cause: error, errors: [error] }
}
