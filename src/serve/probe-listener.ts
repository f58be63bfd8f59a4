// `health: { port }`: the probes on a listener of their own. On the app's port a flood of
// connections (up to maxConnections, from many addresses) refuses every newcomer, probes
// included, and a liveness probe failing for that long gets a healthy pod restarted, which an
// attacker who reconnects keeps down. A port that only the kubelet reaches keeps answering:
// it is not in the Service, and its own connections are few and short.

import { createServer, type Server } from 'node:http'

import { withHealth } from './health.ts'

/** Probes come from one kubelet, a few at a time; anything more on this port is not a probe. */
const PROBE_CONNECTIONS = 64
/** A probe sends its head at once; kubelet's own timeout is 1 s by default. */
const PROBE_HEAD_MS = 2_000

export class ProbeListener {
  readonly #server: Server
  readonly #port: number
  readonly #host: string

  constructor(paths: { live: string; ready: string }, port: number, host: string, closing: AbortSignal, isReady: () => boolean) {
    const notFound = withHealth(
      (_req, res) => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '9' })
        res.end('Not Found')
      },
      paths,
      closing,
      isReady,
    )
    this.#server = createServer(
      { headersTimeout: PROBE_HEAD_MS, requestTimeout: PROBE_HEAD_MS, keepAliveTimeout: PROBE_HEAD_MS, connectionsCheckingInterval: 250 },
      notFound,
    )
    this.#server.maxConnections = PROBE_CONNECTIONS
    this.#port = port
    this.#host = host
  }

  listen(): Promise<void> {
    const server = this.#server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject)
        // Probes are answered until the whole shutdown is over; they never keep the process up.
        server.unref()
        resolve()
      })
    })
  }

  close(): void {
    if (!this.#server.listening) return
    this.#server.close()
    this.#server.closeAllConnections()
  }
}
