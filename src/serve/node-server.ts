// Which node server serve() listens with, from `tls` and `http2`: node:http, node:https, or
// node:http2's secure server (h2 and HTTP/1.1 on one port, picked by ALPN) or its cleartext one
// (h2c with prior knowledge only: node has neither an HTTP/1.1 fallback nor the h2c upgrade
// there). Each gets serve()'s HTTP/1.1 timeouts; HTTP/2's are Http2Sessions'.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createH2cServer, createSecureServer } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { Server as NetServer } from 'node:net'
import type { SecureContextOptions } from 'node:tls'

import type { HttpLimits } from './http-options.ts'
import type { TlsConfig } from './tls-options.ts'

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** What the servers share, as serve() uses them: net.Server plus node:http's timeout fields. */
export type NodeServer = NetServer & {
  headersTimeout?: number
  requestTimeout?: number
  keepAliveTimeout?: number
  connectionsCheckingInterval?: number
  setSecureContext?(options: SecureContextOptions): void
}

export interface ServerKind {
  server: NodeServer
  /** Sockets HTTP/1.1 is spoken on are announced by this event (after the TLS handshake under TLS); null when none are. */
  http1Event: 'connection' | 'secureConnection' | null
  /** HTTP/2 sessions may open. */
  http2: boolean
  secure: boolean
}

export function createNodeServer(
  transport: TlsConfig,
  secure: SecureContextOptions | null,
  http: HttpLimits,
  listener: RequestListener,
): ServerKind {
  const timeouts = {
    headersTimeout: http.headersTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    connectionsCheckingInterval: http.checkEveryMs,
  }
  const settings = { maxConcurrentStreams: transport.maxConcurrentStreams }
  if (!transport.http2) {
    const server = secure === null ? createHttpServer(timeouts, listener) : createHttpsServer({ ...secure, ...timeouts }, listener)
    return { server, http1Event: secure === null ? 'connection' : 'secureConnection', http2: false, secure: secure !== null }
  }
  if (secure === null) {
    const server = createH2cServer({ settings }, listener as never)
    return { server, http1Event: null, http2: true, secure: false }
  }
  const server: NodeServer = createSecureServer({ ...secure, allowHTTP1: true, settings }, listener as never)
  // The HTTP/1.1 connections of this port go through node:http's own connection handling, which
  // reads its timeouts off the server (the constructor takes none of them).
  Object.assign(server, timeouts)
  return { server, http1Event: 'secureConnection', http2: true, secure: true }
}
