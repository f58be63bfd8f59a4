// The runner's traffic over HTTP/2, with node:http2's client: over TLS (ALPN h2, trusting the
// CA it is given) or in cleartext with prior knowledge (h2c). Requests in flight at the same
// time share one session, as streams (that is what HTTP/2 is for, and what H14 exercises);
// a session left without a stream is closed at once, so, as with the HTTP/1.1 runner's
// connection per request, no idle connection changes how a server shuts down.

import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants, type OutgoingHttpHeaders } from 'node:http2'
import type { HttpRequestSpec, HttpResult } from '../drivers/types.ts'
import { chunked, failureOf, responseLimitMs, sleep, tcpProbe, type Wire } from './http.ts'
import type { Transport } from './transport.ts'

/** Response header pairs in the order the object holds them; repeated fields (set-cookie) stay apart. */
function headerPairs(headers: Record<string, string | string[] | number | undefined>): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith(':') || value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([key, String(one)])
  }
  return pairs
}

/** node:http2 cancels a session's streams with the session's error as their cause: report the cause (a refused connect). */
function streamFailure(error: unknown): HttpResult {
  const cause = (error as { code?: unknown; cause?: unknown })?.cause
  return failureOf((error as { code?: unknown })?.code === 'ERR_HTTP2_STREAM_CANCEL' && cause !== undefined ? cause : error)
}

/**
 * Whether the response ended by a RST_STREAM rather than a frame with END_STREAM. node:http2
 * ends the readable side the same way for both when the reset's code is NO_ERROR, which RFC 9113
 * §8.1 allows only after a complete response; before one, the response was cut (curl and nghttp
 * report such a stream as failed). The two differ in order: END_STREAM pushes the end of the
 * data while the stream is still open, a reset closes the stream first and then pushes it.
 */
function endsWithoutEndStream(stream: ClientHttp2Stream): () => boolean {
  let closedAtEnd: boolean | undefined
  const push = stream.push.bind(stream)
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null && closedAtEnd === undefined) closedAtEnd = stream.closed
    return push(chunk, encoding)
  }
  return () => closedAtEnd === true
}

export class Http2Traffic implements Wire {
  readonly #host: string
  readonly #port: number
  readonly #ca: string | undefined
  readonly origin: string
  #current: ClientHttp2Session | null = null
  readonly #streams = new Map<ClientHttp2Session, number>()

  constructor(transport: Exclude<Transport, { name: 'h1' }>, host: string, port: number) {
    this.#host = host
    this.#port = port
    this.#ca = transport.name === 'h2' ? transport.tls.ca : undefined
    this.origin = `${transport.name === 'h2' ? 'https' : 'http'}://${host}:${port}`
  }

  /** The session requests share while any is in flight; a new one once it is gone or going away. */
  #session(): ClientHttp2Session {
    const current = this.#current
    if (current !== null && !current.closed && !current.destroyed) return current
    // Windows of 1 MiB per stream (8 MiB per session) instead of 64 KiB: a 16 MiB response would
    // otherwise take hundreds of round trips; a reader that stops reading still stops the sender.
    const settings = { initialWindowSize: 1 << 20 }
    const session = connect(this.origin, this.#ca === undefined ? { settings } : { ca: this.#ca, settings })
    session.once('connect', () => session.setLocalWindowSize(8 << 20))
    // Each request reports the session's failure as its own; this only keeps it from being unhandled.
    session.on('error', () => undefined)
    const forget = (): void => {
      if (this.#current === session) this.#current = null
    }
    session.on('goaway', forget)
    session.on('close', () => {
      forget()
      this.#streams.delete(session)
    })
    this.#streams.set(session, 0)
    this.#current = session
    return session
  }

  #release(session: ClientHttp2Session): void {
    const left = (this.#streams.get(session) ?? 1) - 1
    this.#streams.set(session, left)
    if (left > 0) return
    if (this.#current === session) this.#current = null
    if (!session.closed && !session.destroyed) session.close()
  }

  request(spec: HttpRequestSpec, note: (event: string) => void): Promise<HttpResult> {
    const session = this.#session()
    this.#streams.set(session, (this.#streams.get(session) ?? 0) + 1)
    return new Promise<HttpResult>((resolve) => {
      const timers = new Set<NodeJS.Timeout>()
      let settled = false
      let stream: ClientHttp2Stream | null = null
      const finish = (result: HttpResult): void => {
        if (settled) return
        settled = true
        for (const timer of timers) clearTimeout(timer)
        session.off('error', onSessionError)
        if (!result.ok && stream !== null && !stream.closed) stream.close(constants.NGHTTP2_CANCEL)
        this.#release(session)
        resolve(result)
      }
      const after = (ms: number, then: () => void): NodeJS.Timeout => {
        const timer = setTimeout(then, ms)
        timers.add(timer)
        return timer
      }
      const timedOut = (what: string) => () => finish({ ok: false, failure: 'timeout', message: `no ${what} within ${responseLimitMs} ms` })
      const onSessionError = (error: unknown): void => finish(streamFailure(error))
      session.on('error', onSessionError)

      // As undici does on HTTP/1.1: a body given whole is announced with its length, a streamed one is not.
      const length = spec.body?.length === 1 ? { 'content-length': String(Buffer.byteLength(spec.body[0]!)) } : {}
      const headers: OutgoingHttpHeaders = { ...spec.headers, ...length, ':method': spec.method, ':path': spec.path }
      try {
        stream = session.request(headers, { endStream: spec.body === undefined })
      } catch (error) {
        // node:http2 refuses what HTTP/2 forbids (a connection-specific header) before sending.
        finish({ ok: false, failure: 'reset', message: `the client refused the request: ${String(error)}` })
        return
      }
      const own = stream
      const cut = endsWithoutEndStream(own)
      own.on('error', (error) => finish(streamFailure(error)))
      own.on('close', () =>
        finish({
          ok: false,
          failure: 'reset',
          message: `the stream closed before its response ended (RST_STREAM code ${own.rstCode ?? 'none'})`,
        }),
      )
      // Counted from the head's sending, as the scenario format says: a TLS handshake on a loaded
      // machine can take longer than the delay, and a stream cancelled before it was sent never
      // reaches the server at all.
      const abortAfterMs = spec.abortAfterMs
      if (abortAfterMs !== undefined)
        own.once('ready', () =>
          after(abortAfterMs, () =>
            finish({ ok: false, failure: 'aborted', message: 'the runner cancelled the stream (RST_STREAM CANCEL)' }),
          ),
        )
      let waiting = after(responseLimitMs, timedOut('response head'))

      own.on('response', async (head) => {
        clearTimeout(waiting)
        if (spec.readDelayMs !== undefined) {
          // Nothing reads the stream meanwhile, so its flow-control window is not given back.
          await sleep(spec.readDelayMs)
          note('@reading')
        }
        const parts: Buffer[] = []
        waiting = after(responseLimitMs, timedOut('body chunk'))
        own.on('data', (chunk: Buffer) => {
          parts.push(chunk)
          clearTimeout(waiting)
          waiting = after(responseLimitMs, timedOut('body chunk'))
        })
        own.on('end', () => {
          if (cut())
            finish({ ok: false, failure: 'reset', message: 'the server reset the stream (RST_STREAM NO_ERROR) before the response ended' })
          else
            finish({ ok: true, status: Number(head[':status']), headers: headerPairs(head), body: Buffer.concat(parts).toString('utf8') })
        })
      })
      if (spec.body !== undefined) void this.#write(own, spec.body)
    })
  }

  async #write(stream: ClientHttp2Stream, body: string[]): Promise<void> {
    for await (const part of chunked(body)) {
      if (stream.destroyed) return
      stream.write(part)
    }
    if (!stream.destroyed) stream.end()
  }

  idleConnection(): Promise<void> {
    return Promise.reject(
      new Error('an idle HTTP/1.1 keep-alive connection has no HTTP/2 equivalent here (the scenario is not applicable)'),
    )
  }

  connect(): Promise<'refused' | 'accepted'> {
    return tcpProbe(this.#host, this.#port)
  }

  async close(): Promise<void> {
    for (const session of this.#streams.keys()) session.destroy()
    this.#streams.clear()
    this.#current = null
  }
}
