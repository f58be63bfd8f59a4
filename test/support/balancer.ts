// A small load balancer for the rollout tests, shaped like kube-proxy plus an ingress: an HTTP
// proxy with a keep-alive pool per backend, round-robin, no retries, counting every failed
// request (a connection error or a 5xx). terminate() sends a backend SIGTERM and keeps routing
// new requests to it for `propagationMs`, as the endpoints do while the removal propagates.
// It adds X-Forwarded-For / -Proto / -Host as a proxy hop does.

import type { ChildProcess } from 'node:child_process'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { Pool } from 'undici'

export interface Backend {
  name: string
  url: string
  /** The process behind it, for terminate(). */
  child?: ChildProcess
}

export interface BalancerCounts {
  /** Requests answered with a status under 500. */
  served: number
  /** Connection errors and 5xx answers, each one a request a user would have seen fail. */
  failed: number
  /** The messages of the connection errors, for the test's diagnostics. */
  errors: string[]
  /** Per backend: answers, and answers to requests that arrived after its SIGTERM. */
  byBackend: Record<string, { served: number; afterSignal: number }>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'])

export class Balancer {
  readonly counts: BalancerCounts = { served: 0, failed: 0, errors: [], byBackend: {} }
  readonly #server: Server
  readonly #pools = new Map<string, Pool>()
  #routable: Backend[]
  #next = 0

  constructor(backends: Backend[]) {
    this.#routable = [...backends]
    for (const backend of backends) {
      this.#pools.set(backend.name, new Pool(backend.url, { connections: 16, pipelining: 1, keepAliveTimeout: 30_000 }))
      this.counts.byBackend[backend.name] = { served: 0, afterSignal: 0 }
    }
    this.#server = createServer((req, res) => void this.#forward(req, res))
  }

  /** Listens on loopback, port 0; resolves with the balancer's URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** Routes to one more backend from now on (a replica that replaced one in a rollout). */
  add(backend: Backend): void {
    this.#pools.set(backend.name, new Pool(backend.url, { connections: 16, pipelining: 1, keepAliveTimeout: 30_000 }))
    this.counts.byBackend[backend.name] ??= { served: 0, afterSignal: 0 }
    this.#routable.push(backend)
  }

  /** SIGTERM now; new requests still reach the backend for `propagationMs`, then none do. */
  async terminate(backend: Backend, propagationMs: number): Promise<void> {
    backend.child?.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, propagationMs))
    this.#routable = this.#routable.filter((b) => b !== backend)
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise((resolve) => this.#server.close(resolve))
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()))
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const backend = this.#routable[this.#next++ % this.#routable.length]
    if (backend === undefined) return this.#fail(res, 'no backend left')
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value
    }
    const forwardedFor = req.headers['x-forwarded-for']
    headers['x-forwarded-for'] = [forwardedFor, req.socket.remoteAddress].filter(Boolean).join(', ')
    headers['x-forwarded-proto'] = 'http'
    if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      const answer = await this.#pools.get(backend.name)!.request({
        method: req.method as 'GET',
        path: req.url ?? '/',
        headers,
        body: hasBody ? req : null,
      })
      const body = Buffer.from(await answer.body.arrayBuffer())
      if (answer.statusCode >= 500) this.counts.failed++
      else {
        this.counts.served++
        const tally = this.counts.byBackend[backend.name]!
        tally.served++
        if (answer.headers['x-after-signal'] === '1') tally.afterSignal++
      }
      res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'text/plain') })
      res.end(body)
    } catch (error) {
      this.#fail(res, `${backend.name}: ${(error as Error & { code?: string }).code ?? (error as Error).message}`)
    }
  }

  #fail(res: ServerResponse, why: string): void {
    this.counts.failed++
    if (this.counts.errors.length < 20) this.counts.errors.push(why)
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
    res.end('bad gateway')
  }
}
