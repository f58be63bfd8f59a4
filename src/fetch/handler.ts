// The fetch bridge, server side: a tsgi App answers `(Request) => Promise<Response>`, so it can
// run wherever fetch handlers run (Hono, Bun, Deno, workers, tests). The Response resolves as
// soon as the app has sent `http.response.start` and its first body chunk; the rest streams.
// Lifespan is not driven here: run a LifespanManager on the same app with the same `state`.

import { EMPTY, PushStream, toBytes } from './body.ts'
import { InvalidArgumentError, ProtocolError } from '../protocol/errors.ts'
import { TSGI_VERSION, type App, type AppState, type HttpScope, type ReceiveMessage, type SendMessage } from '../protocol/types.ts'
import { mountedTarget } from '../node/mounted.ts'

export interface ToFetchHandlerOptions {
  /** The lifespan state; each request's scope gets a shallow copy. */
  state?: Record<string, unknown>
}

/**
 * Serves `app` as a fetch handler.
 * @example
 * const handler = toFetchHandler(app, { state: manager.state })
 * const response = await handler(new Request('http://localhost/hello'))
 */
export function toFetchHandler(app: App, options: ToFetchHandlerOptions = {}): (request: Request) => Promise<Response> {
  if (typeof app !== 'function') throw new InvalidArgumentError(`toFetchHandler needs an app function, got ${typeof app}`)
  const state = options.state ?? {}
  return (request) => new Exchange(app, request, state, PLAIN).response
}

/**
 * Answers one Request under a host that matched the raw prefix `root` (Hono's route): the
 * scope's rootPath is that prefix and its path what follows. For embed().
 */
export function respondMounted(app: App, request: Request, state: Record<string, unknown>, host: MountedRequest): Promise<Response> {
  return new Exchange(app, request, state, host).response
}

/** What the host knows of one request beyond the Request itself. */
export interface MountedRequest {
  /** The raw prefix the host matched ('' for none). */
  root: string
  maxBodyBytes: number
}

const PLAIN: MountedRequest = { root: '', maxBodyBytes: Infinity }

function tooLarge(): Response {
  return new Response('Payload Too Large', { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' } })
}

const NULL_BODY_STATUSES = new Set([204, 205, 304])
const FINISHED = Symbol('finished')

/** One request through the app: owns its receive(), send() and the Response they build. */
class Exchange {
  readonly response: Promise<Response>
  readonly #request: Request
  #resolve!: (response: Response) => void
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null
  #bodyDone = false
  #start: { status: number; headers: Headers } | null = null
  #pipe: PushStream | null = null
  #gone: Promise<typeof FINISHED | 'disconnect'>
  #leave!: (why: typeof FINISHED | 'disconnect') => void
  readonly #limit: number
  #received = 0
  /** The bridge answered in the app's stead (413): whatever the app sends later goes nowhere. */
  #refused = false

  constructor(app: App, request: Request, state: Record<string, unknown>, host: MountedRequest) {
    this.#request = request
    const maxBodyBytes = host.maxBodyBytes
    this.#limit = maxBodyBytes
    this.response = new Promise((resolve) => (this.#resolve = resolve))
    this.#gone = new Promise((resolve) => (this.#leave = resolve))
    request.signal.addEventListener('abort', () => this.#disconnect(), { once: true })

    const scope = scopeOf(request, state, host)
    if (scope === null) {
      this.#resolve(new Response('Bad Request', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } }))
      return
    }
    if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) {
      this.#resolve(tooLarge())
      return
    }
    let running: Promise<void>
    try {
      running = Promise.resolve(app(scope, this.#receive, this.#send))
    } catch (error) {
      running = Promise.reject(error)
    }
    running.then(
      () => this.#end(null),
      (error: unknown) => this.#end(error),
    )
  }

  readonly #receive = async (): Promise<ReceiveMessage> => {
    if (!this.#bodyDone) {
      const body = this.#request.body
      if (body === null) {
        this.#bodyDone = true
        return { type: 'http.request', body: EMPTY, moreBody: false }
      }
      this.#reader ??= body.getReader()
      try {
        const { done, value } = await this.#reader.read()
        if (!done) {
          const chunk = toBytes(value)
          this.#received += chunk.byteLength
          if (this.#received > this.#limit) return this.#refuse()
          return { type: 'http.request', body: chunk, moreBody: true }
        }
        this.#bodyDone = true
        return { type: 'http.request', body: EMPTY, moreBody: false }
      } catch {
        this.#bodyDone = true
        return { type: 'http.disconnect' }
      }
    }
    // After the body: wait until the client goes or the response is complete.
    await this.#gone
    return { type: 'http.disconnect' }
  }

  /** The body passed the limit: 413 when nothing was answered yet; the app hears the client leave. */
  #refuse(): ReceiveMessage {
    this.#bodyDone = true
    void this.#reader?.cancel().catch(() => undefined)
    if (this.#start === null && this.#pipe === null) {
      this.#refused = true
      this.#resolve(tooLarge())
    } else this.#pipe?.fail(new Error('the request body passed the limit'))
    this.#leave('disconnect')
    return { type: 'http.disconnect' }
  }

  readonly #send = async (message: SendMessage): Promise<void> => {
    if (this.#refused) return
    if (message.type === 'http.response.start') {
      if (this.#start !== null || this.#pipe !== null)
        throw new ProtocolError('http: a second http.response.start', 'started', message.type)
      this.#start = { status: message.status, headers: toHeaders(message.headers) }
      return
    }
    if (message.type !== 'http.response.body') {
      throw new ProtocolError(
        `http: '${String((message as { type?: unknown }).type)}' is not an HTTP response message`,
        'http',
        String(message.type),
      )
    }
    const chunk = message.body === undefined ? EMPTY : toBytes(message.body)
    const more = message.moreBody === true
    if (this.#pipe !== null) {
      if (this.#pipe.done) return
      if (chunk.byteLength > 0) await this.#pipe.write(chunk)
      if (!more) this.#complete()
      return
    }
    const start = this.#start
    if (start === null) throw new ProtocolError('http: http.response.body before http.response.start', 'awaiting-start', message.type)
    if (!more) {
      // The whole body in one message: a plain Response, its length known.
      this.#resolve(new Response(NULL_BODY_STATUSES.has(start.status) ? null : chunk, start))
      this.#pipe = new PushStream(() => undefined)
      this.#complete()
      return
    }
    this.#pipe = new PushStream(() => this.#leave('disconnect'))
    this.#resolve(new Response(this.#pipe.stream, start))
    if (chunk.byteLength > 0) await this.#pipe.write(chunk)
  }

  /** The client left: a writer waiting for room is released, and later chunks are dropped. */
  #disconnect(): void {
    this.#leave('disconnect')
    this.#pipe?.fail(new Error('the client went away'))
  }

  /** The response is whole: the stream ends, and a receive() waiting for the end returns. */
  #complete(): void {
    this.#pipe?.close()
    this.#leave(FINISHED)
  }

  #end(error: unknown): void {
    this.#leave(FINISHED)
    if (this.#refused) return
    if (this.#pipe !== null) {
      // Started: a failure can only cut the stream; a quiet return ends it.
      if (error === null) this.#pipe.close()
      else this.#pipe.fail(error)
      return
    }
    const start = this.#start
    if (error === null && start !== null) {
      this.#resolve(new Response(null, start))
      return
    }
    // The app failed (or returned) before answering: a plain 500, never the error's text.
    this.#resolve(new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } }))
  }
}

function toHeaders(pairs: Array<[string, string]> | undefined): Headers {
  const headers = new Headers()
  if (pairs !== undefined) for (const [name, value] of pairs) headers.append(name, value)
  return headers
}

function scopeOf(request: Request, state: Record<string, unknown>, mounted: MountedRequest): HttpScope | null {
  const url = new URL(request.url)
  const { rawPath, path, rootPath } = mountedTarget(url.pathname, mounted.root)
  if (path === null) return null
  const headers: Array<[string, string]> = []
  let host = false
  for (const [name, value] of request.headers) {
    if (name === 'host') host = true
    headers.push([name, value])
  }
  // A Request built in code has no Host header; the URL's authority is what it means.
  if (!host) headers.unshift(['host', url.host])
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  return {
    type: 'http',
    tsgi: { version: TSGI_VERSION },
    httpVersion: '1.1',
    method: request.method,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    path,
    rawPath,
    queryString: url.search === '' ? '' : url.search.slice(1),
    rootPath,
    headers,
    client: null,
    server: [url.hostname, port],
    state: { ...state } as AppState,
    // Present from the start, so that a router's scope copy overrides them instead of adding
    // properties: adding one to a spread copy gave every copy a new hidden class (60x slower).
    pathParams: undefined,
    routeTemplate: undefined,
  }
}
