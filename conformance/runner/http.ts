// The runner's traffic toward a real server: HTTP/1.1 with undici (a connection per request),
// and raw TCP for what HTTP clients hide (an idle keep-alive connection, a connect attempt after
// shutdown began). `Wire` is what a session needs of it; http2.ts is the same over HTTP/2.

import { connect as tcpConnect, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { Client } from 'undici'
import type { HttpRequestSpec, HttpResult } from '../drivers/types.ts'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** How long the runner waits for a response's head, and between its body's chunks. */
export const responseLimitMs = 6_000

/** The runner's client toward one server, whatever protocol it speaks (HTTP/1.1 here, HTTP/2 in http2.ts). */
export interface Wire {
  readonly origin: string
  request(spec: HttpRequestSpec, note: (event: string) => void): Promise<HttpResult>
  idleConnection(note: (event: string) => void): Promise<void>
  connect(): Promise<'refused' | 'accepted'>
  close(): Promise<void>
}

export function failureOf(error: unknown): HttpResult {
  const code = (error as { code?: unknown })?.code
  const name = (error as { name?: unknown })?.name
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ECONNREFUSED') return { ok: false, failure: 'refused', message }
  if (code === 'UND_ERR_ABORTED' || name === 'AbortError') return { ok: false, failure: 'aborted', message }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { ok: false, failure: 'timeout', message }
  return { ok: false, failure: 'reset', message: `${String(code ?? name)}: ${message}` }
}

export async function* chunked(parts: string[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder()
  for (const [index, part] of parts.entries()) {
    if (index > 0) await sleep(15) // separate writes, so the server sees separate chunks
    yield encoder.encode(part)
  }
}

/** A bare TCP connect: does anything still accept connections on the port? */
export function tcpProbe(host: string, port: number): Promise<'refused' | 'accepted'> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, host)
    socket.on('connect', () => {
      socket.destroy()
      resolve('accepted')
    })
    socket.on('error', () => resolve('refused'))
  })
}

export class Traffic implements Wire {
  readonly #origin: string
  readonly #host: string
  readonly #port: number
  readonly #clients = new Set<Client>()
  readonly #sockets = new Set<Socket>()

  constructor(host: string, port: number) {
    this.#host = host
    this.#port = port
    this.#origin = `http://${host}:${port}`
  }

  get origin(): string {
    return this.#origin
  }

  /**
   * Each request on its own connection, closed once the response is read: an idle pooled
   * connection would change how a server shuts down (hypercorn waits for it), and scenarios
   * about idle keep-alive connections open one on purpose (`idle-connection`).
   */
  async request(spec: HttpRequestSpec, note: (event: string) => void): Promise<HttpResult> {
    // A server that never answers fails the request after a while instead of holding the
    // scenario until its overall limit; every scenario's responses come well within it.
    const client = new Client(this.#origin, { headersTimeout: responseLimitMs, bodyTimeout: responseLimitMs })
    this.#clients.add(client)
    const controller = new AbortController()
    const timer = spec.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), spec.abortAfterMs)
    try {
      const headers = { ...spec.headers }
      const body = spec.body === undefined ? undefined : spec.body.length === 1 ? spec.body[0] : Readable.from(chunked(spec.body))
      const response = await client.request({ method: spec.method, path: spec.path, headers, body, signal: controller.signal })
      if (spec.readDelayMs !== undefined) {
        await sleep(spec.readDelayMs)
        note('@reading')
      }
      const text = await response.body.text()
      const pairs: Array<[string, string]> = []
      for (const [key, value] of Object.entries(response.headers)) {
        for (const one of Array.isArray(value) ? value : [value ?? '']) pairs.push([key, one])
      }
      return { ok: true, status: response.statusCode, headers: pairs, body: text }
    } catch (error) {
      return failureOf(error)
    } finally {
      clearTimeout(timer)
      this.#clients.delete(client)
      await client.destroy().catch(() => undefined)
    }
  }

  /** One request on a raw keep-alive connection, then the connection is left open and idle. */
  idleConnection(note: (event: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(this.#port, this.#host)
      this.#sockets.add(socket)
      let seen = ''
      socket.setEncoding('latin1')
      socket.on('connect', () => socket.write(`GET /?idle=1 HTTP/1.1\r\nHost: ${this.#host}\r\nConnection: keep-alive\r\n\r\n`))
      socket.on('data', (chunk: string) => {
        seen += chunk
        const end = seen.indexOf('\r\n\r\n')
        const length = /content-length:\s*(\d+)/i.exec(seen)
        if (end !== -1 && length !== null && seen.length >= end + 4 + Number(length[1])) resolve()
      })
      // 'end' is the server's FIN: the server closed it (the runner's own destroy() emits no 'end').
      socket.on('end', () => {
        note('@idle.closed')
        socket.destroy()
      })
      socket.on('close', () => {
        this.#sockets.delete(socket)
        reject(new Error('the idle connection closed before its response arrived'))
      })
      socket.on('error', () => undefined)
    })
  }

  /** A bare TCP connect: does anything still accept connections on the port? */
  connect(): Promise<'refused' | 'accepted'> {
    return tcpProbe(this.#host, this.#port)
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await Promise.all([...this.#clients].map((c) => c.destroy().catch(() => undefined)))
  }
}

/** Polls a TCP connect until something accepts, `stop()` says to give up, or time runs out. */
export async function waitForListening(host: string, port: number, withinMs: number, stop: () => boolean): Promise<boolean> {
  const deadline = performance.now() + withinMs
  while (performance.now() < deadline) {
    if (stop()) return false
    if ((await tcpProbe(host, port)) === 'accepted') return true
    await sleep(20)
  }
  return false
}
