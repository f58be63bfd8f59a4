// v1 MCP sessions on several workers. A session lives in the worker that created it (its
// server, its transport, its open streams are objects of that process), and its id says so:
// `<pid>-<app>-<uuid>`. A request for it that lands on another worker is relayed, as HTTP, to
// the owner over a unix socket in the primary's private folder, and the answer (an SSE stream
// included) comes back the same way. Per request, not per connection: one keep-alive
// connection may carry requests for sessions of different owners.
//
// Why a unix socket, and not the primary routing connections: node:cluster hands the primary
// a connection, not a request, so it cannot read a session id without parsing HTTP itself; and
// why not a TCP port: the folder is 0700 (mkdtemp) and each socket 0600, so only this server's
// user can connect, never another host or user. The owner trusts what arrives there (the entry
// worker checked the Host, CORS and the token, and passes the token's AuthInfo along, and the
// client's address, so that the owner's per-client caps count the real client rather than the
// relay's socket, which has none). Those two headers are only ever read on the relay socket,
// and a client's own copies are dropped before the entry worker sets them: a client cannot
// choose the address it is counted under.

import { chmodSync, rmSync } from 'node:fs'
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http'
import { join } from 'node:path'

import { randomUUID } from 'node:crypto'
import { toNodeHandler } from '../node/handler.ts'
import type { App, HttpScope, Receive, Send } from '../protocol/types.ts'
import type { AuthInfo } from '../sdk/auth.ts'
import { rpcError, sendJson } from '../sdk/http.ts'

/** The header that carries the entry worker's AuthInfo to the owner; dropped from what clients send. */
export const RELAY_AUTH_HEADER = 'tsgi-relay-auth'
/** The header that carries the client's address (`scope.client`, as JSON) to the owner; dropped from what clients send. */
export const RELAY_CLIENT_HEADER = 'tsgi-relay-client'

/** Headers of one hop only (RFC 9110 §7.6.1), never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-connection',
  'trailer',
  'host',
  'content-length',
  RELAY_AUTH_HEADER,
  RELAY_CLIENT_HEADER,
])

const SESSION_ID = /^(\d{1,10})-(\d{1,4})-[0-9a-f-]{36}$/

const encoder = new TextEncoder()
const EMPTY = new Uint8Array(0)

export interface RelayedCall {
  scope: HttpScope
  receive: Receive
  send: Send
  /** The body the entry worker read (bounded); undefined for GET and DELETE. */
  body: string | undefined
  authInfo: AuthInfo | undefined
}

export class SessionRelay {
  readonly #dir: string
  readonly #app: number
  /** Keep-alive sockets to the owners, reused across requests. */
  readonly #agent = new Agent({ keepAlive: true, maxFreeSockets: 16 })
  #server: Server | null = null

  constructor(dir: string, app: number) {
    this.#dir = dir
    this.#app = app
  }

  /** A new session id naming this process (and this app) as its owner. */
  newSessionId(): string {
    return `${process.pid}-${this.#app}-${randomUUID()}`
  }

  /** The socket of the worker that owns `id`, or null when this process owns it or the id is not one of ours. */
  ownerSocket(id: string): string | null {
    const match = SESSION_ID.exec(id)
    if (match === null || Number(match[2]) !== this.#app || Number(match[1]) === process.pid) return null
    return this.#socketOf(Number(match[1]))
  }

  /** Starts taking relayed requests for this process's sessions; `owner` answers them. */
  async listen(owner: App, state: Record<string, unknown>): Promise<void> {
    const path = this.#socketOf(process.pid)
    // A socket file left by an earlier process with this pid would make listen() fail.
    rmSync(path, { force: true })
    const server = createServer(toNodeHandler(owner, { state, logger: false, maxBodyBytes: Infinity }))
    this.#server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
    // The folder already shuts others out; the socket's own mode says the same.
    chmodSync(path, 0o600)
  }

  async close(): Promise<void> {
    this.#agent.destroy()
    const server = this.#server
    this.#server = null
    if (server === null) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /**
   * Relays one request to the owner and its answer back, with back-pressure both ways. The
   * client leaving aborts the relayed request, which the owner sees as its own client leaving;
   * an owner that is gone answers 404 (its sessions died with it), one that dies mid-answer
   * gets 502 before the head, a cut connection after it.
   */
  async forward(call: RelayedCall, socketPath: string): Promise<void> {
    const { scope } = call
    const headers: Record<string, string> = {}
    for (const [name, value] of scope.headers)
      if (!HOP_BY_HOP.has(name)) headers[name] = name in headers ? `${headers[name]}, ${value}` : value
    if (call.authInfo !== undefined) headers[RELAY_AUTH_HEADER] = JSON.stringify(call.authInfo)
    if (scope.client !== null) headers[RELAY_CLIENT_HEADER] = JSON.stringify(scope.client)
    const body = call.body === undefined ? undefined : encoder.encode(call.body)
    if (body !== undefined) headers['content-length'] = String(body.byteLength)
    const path = `${scope.rawPath}${scope.queryString === '' ? '' : `?${scope.queryString}`}`
    const outgoing = request({ socketPath, agent: this.#agent, method: scope.method, path, headers })
    const left = watchDisconnect(call.receive, () => outgoing.destroy())
    let answer: IncomingMessage
    try {
      answer = await new Promise<IncomingMessage>((resolve, reject) => {
        outgoing.once('response', resolve)
        outgoing.once('error', reject)
        outgoing.end(body)
      })
    } catch (error) {
      left.stop()
      if (left.gone) return
      const code = (error as NodeJS.ErrnoException).code
      // No one listens there any more: the owner exited, and its sessions with it.
      if (code === 'ENOENT' || code === 'ECONNREFUSED') return sendJson(call.send, 404, rpcError(-32001, 'Session not found'))
      return sendJson(call.send, 502, rpcError(-32000, 'Bad Gateway: the worker holding this session did not answer'))
    }
    try {
      const responseHeaders: Array<[string, string]> = []
      const raw = answer.rawHeaders
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i]!.toLowerCase()
        if (!HOP_BY_HOP.has(name) || name === 'content-length') responseHeaders.push([name, raw[i + 1]!])
      }
      await call.send({ type: 'http.response.start', status: answer.statusCode ?? 502, headers: responseHeaders })
      // An SSE stream may have nothing to say for a while: its head goes out now, as the owner's did.
      if (answer.headers['content-type']?.startsWith('text/event-stream')) {
        await call.send({ type: 'http.response.body', body: EMPTY, moreBody: true })
      }
      try {
        for await (const chunk of answer) {
          await call.send({ type: 'http.response.body', body: chunk as Uint8Array, moreBody: true })
        }
      } catch (error) {
        // The client left (and the relayed request was aborted for it): nothing is owed to anyone.
        if (left.gone) return
        throw error
      }
      if (left.gone) return
      // An answer cut by the owner's death ends the loop without `complete`: cut the client's too.
      if (!answer.complete) throw new Error('the worker holding this session ended its answer early')
      await call.send({ type: 'http.response.body', moreBody: false })
    } finally {
      left.stop()
      answer.destroy()
    }
  }

  #socketOf(pid: number): string {
    return join(this.#dir, `mcp-${this.#app}-${pid}.sock`)
  }
}

/** Calls `onGone` when the client leaves (its body was read already); `stop()` stops watching. */
function watchDisconnect(receive: Receive, onGone: () => void): { readonly gone: boolean; stop(): void } {
  let watching = true
  const state = {
    gone: false,
    stop: () => {
      watching = false
    },
  }
  void (async () => {
    for (;;) {
      const message = await receive()
      if (message.type === 'http.disconnect') {
        if (!watching) return
        state.gone = true
        onGone()
        return
      }
    }
  })()
  return state
}

/** The AuthInfo the entry worker passed along, or undefined. Only for requests from the relay socket. */
export function relayedAuth(scope: HttpScope): AuthInfo | undefined {
  for (const [name, value] of scope.headers) {
    if (name === RELAY_AUTH_HEADER) return JSON.parse(value) as AuthInfo
  }
  return undefined
}

/**
 * The relayed request as the entry worker saw it: with the client's address in `client` (the
 * relay socket has none), so per-client caps count it where it belongs. Only for requests from
 * the relay socket.
 */
export function asRelayedClient(scope: HttpScope): HttpScope {
  for (const [name, value] of scope.headers) {
    if (name === RELAY_CLIENT_HEADER) return { ...scope, client: JSON.parse(value) as [string, number] }
  }
  return scope
}
