// The one place the optional peer `ws` is loaded, and only on demand: at the first upgrade
// request, or at startup when serve() was given `websocket` options. The core entry (`tsgi`)
// therefore runs without `ws` installed for anyone who never receives an upgrade. The shapes
// below are the part of ws's API the bridge uses, written here so that no static import (not
// even a type-only one) reaches the package.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

/** ws's WebSocket, server side: the calls the bridge makes. */
export interface PeerSocket {
  readonly protocol: string
  readonly bufferedAmount: number
  send(data: Uint8Array | string, options: { binary: boolean }, done?: (error?: Error) => void): void
  close(code?: number, reason?: string): void
  terminate(): void
  ping(): void
  pause(): void
  resume(): void
  on(event: 'message', listener: (data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean) => void): this
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this
  on(event: 'pong', listener: () => void): this
  on(event: 'error', listener: (error: Error) => void): this
}

export interface VerifyInfo {
  req: IncomingMessage
}

export type Verdict = (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void

/** ws's WebSocketServer in noServer mode: it speaks the handshake and the frames; tsgi owns the sockets. */
export interface PeerServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (socket: PeerSocket) => void): void
  on(event: 'headers', listener: (headers: string[], req: IncomingMessage) => void): this
}

export interface PeerServerOptions {
  noServer: true
  clientTracking: false
  maxPayload: number
  perMessageDeflate: boolean
  handleProtocols: (offered: Set<string>, req: IncomingMessage) => string | false
  verifyClient: (info: VerifyInfo, verdict: Verdict) => void
}

type PeerServerClass = new (options: PeerServerOptions) => PeerServer

let loading: Promise<PeerServerClass> | null = null

/** ws's WebSocketServer class, imported once; rejects with a sentence saying what to install. */
export function loadWs(): Promise<PeerServerClass> {
  loading ??= import('ws').then(
    (module) => module.WebSocketServer as unknown as PeerServerClass,
    (error: unknown) => {
      loading = null
      throw new Error("websockets need the optional peer 'ws' (npm install ws)", { cause: error })
    },
  )
  return loading
}

/** The close code ws keeps on its protocol errors (under a symbol of its own), else 1002. */
export function closeCodeOf(error: Error): number {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code')
  const code = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  return typeof code === 'number' ? code : 1002
}

/** Resolves once the socket ws writes to drained below its high-water mark, or closed. */
export function untilDrained(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}
