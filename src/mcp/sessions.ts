// The live MCP sessions of one mcpApp: one server and one web-standard transport per session
// (the SDK binds a server to a single transport), plus the per-request pairs of stateless mode.
// Bounded (session-budget.ts): in count, in bytes and per client address; at a cap the least
// recently used idle session makes room, else one whose only activity is a GET stream (the
// spec lets a server end that stream; the client reopens it or gets 404 and starts over). Each
// is closed after `idleMs` without a request. Closing a transport ends its SSE streams, which
// ends the HTTP responses carrying them; closing the server frees what its handlers hold.

import { randomUUID } from 'node:crypto'
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { describeError } from '../protocol/errors.ts'
import type { AppState } from '../protocol/types.ts'
import { SessionBudget, type BudgetLimits, type Reservation } from './session-budget.ts'
import type { McpPair, McpServerFactory } from './server-like.ts'

export type { McpPair, McpServerContext, McpServerFactory, McpServerLike } from './server-like.ts'

export interface SessionOptions {
  factory: McpServerFactory
  jsonResponse: boolean
  budget: BudgetLimits
  idleMs: number
  /** One store per session, for resumable streams; null: streams cannot be resumed. */
  eventStore: (() => EventStore) | null
  retryInterval: number | undefined
  /** Makes a session id; default randomUUID (several workers name the owner in it). */
  newId?: () => string
  /** Hears of every session slot given back, with its client's address (for a machine-wide count). */
  onRelease?: (client: string) => void
}

/** A session and what makes it busy: requests in flight, and open GET streams. */
export interface McpSession {
  readonly id: string
  readonly pair: McpPair
  /** Its charge on the budget, and the address that initialized it. */
  readonly reservation: Reservation
  requests: number
  streams: number
  timer: NodeJS.Timeout | null
}

export class McpSessions {
  readonly #options: SessionOptions
  /** In least-recently-used order: a session is moved to the end each time it is used. */
  readonly #sessions = new Map<string, McpSession>()
  /** Pairs not (yet) filed under a session id: stateless requests, unfinished initializations. */
  readonly #loose = new Set<McpPair>()
  readonly #budget: SessionBudget

  constructor(options: SessionOptions) {
    this.#options = options
    this.#budget = new SessionBudget(options.budget, options.onRelease)
  }

  get size(): number {
    return this.#sessions.size
  }

  /** What the live sessions and the initializations in flight are charged, in bytes. */
  get bytes(): number {
    return this.#budget.bytes
  }

  /** Open GET streams, over every session. */
  get streamCount(): number {
    let streams = 0
    for (const session of this.#sessions.values()) streams += session.streams
    return streams
  }

  /** The session, marked as just used; undefined when it never was, expired, or was evicted. */
  get(id: string): McpSession | undefined {
    const session = this.#sessions.get(id)
    if (session === undefined) return undefined
    this.#sessions.delete(id)
    this.#sessions.set(id, session)
    return session
  }

  /**
   * Makes room for one more session of `bytes` from `client` and charges it: a reservation, or
   * why not. A client at its own cap makes room among its own idle sessions only; the table at
   * its cap (count or bytes) evicts the least recently used idle session, then the least
   * recently used one whose only activity is a GET stream. Nothing with a request in flight is
   * ever evicted.
   */
  makeRoom(client: string, bytes: number): Reservation | 'client-full' | 'full' {
    const budget = this.#budget
    if (budget.tooLarge(bytes)) return 'full'
    if (budget.clientAtCap(client) && !this.endIdleOf(client)) return 'client-full'
    while (!budget.fits(bytes)) {
      const victim = this.#leastRecent(isIdle) ?? this.#leastRecent(isQuiet)
      if (victim === undefined) return 'full'
      this.#end(victim)
    }
    return budget.reserve(client, bytes)
  }

  /** Ends `client`'s least recently used idle session here, if it has one; whether it did. */
  endIdleOf(client: string): boolean {
    const own = this.#leastRecent((s) => s.reservation.client === client && isIdle(s))
    if (own === undefined) return false
    this.#end(own)
    return true
  }

  #leastRecent(test: (session: McpSession) => boolean): McpSession | undefined {
    for (const session of this.#sessions.values()) if (test(session)) return session
    return undefined
  }

  /** A request (or, with `stream`, a GET stream) of this session begins: it is not idle. */
  begin(session: McpSession, stream: boolean): void {
    if (stream) {
      // A stream open with no request is what an abandoned client leaves: the clock runs on.
      session.streams++
      return
    }
    session.requests++
    if (session.timer !== null) {
      clearTimeout(session.timer)
      session.timer = null
    }
  }

  /** It ended; with no request left, the idle clock starts (a GET stream alone does not hold it). */
  end(session: McpSession, stream: boolean): void {
    if (stream) session.streams--
    else session.requests--
    if (session.requests === 0 && this.#sessions.get(session.id) === session) this.#arm(session)
  }

  #arm(session: McpSession): void {
    if (session.timer !== null) session.timer.refresh()
    else {
      session.timer = setTimeout(() => {
        session.timer = null
        if (session.requests === 0) this.#end(session)
      }, this.#options.idleMs)
      // An idle session is no reason for the process to stay up.
      session.timer.unref()
    }
  }

  /** Forgets a session at once (its id answers 404 from now on) and closes it in the background. */
  #end(session: McpSession): void {
    this.#forget(session)
    void this.close(session.pair).catch(() => undefined)
  }

  #forget(session: McpSession): void {
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id)
    this.#budget.release(session.reservation)
    if (session.timer !== null) clearTimeout(session.timer)
    session.timer = null
  }

  /**
   * A new pair: a session-keeping one (with the reservation makeRoom() gave), filed once the
   * SDK confirms its id, or a stateless one (null).
   */
  async open(reservation: Reservation | null, state: AppState): Promise<McpPair> {
    const stateful = reservation !== null
    const sessionId = stateful ? (this.#options.newId ?? randomUUID)() : undefined
    const server = this.#options.factory({ state, sessionId })
    if (server === null || typeof server !== 'object' || typeof server.connect !== 'function') {
      throw new TypeError(`mcpApp: server() must return an McpServer, got ${server === null ? 'null' : typeof server}`)
    }
    let pair!: McpPair
    let session: McpSession | null = null
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: sessionId === undefined ? undefined : () => sessionId,
      enableJsonResponse: this.#options.jsonResponse,
      ...(this.#options.eventStore === null ? {} : { eventStore: this.#options.eventStore() }),
      ...(this.#options.retryInterval === undefined ? {} : { retryInterval: this.#options.retryInterval }),
      onsessioninitialized: (id) => {
        this.#loose.delete(pair)
        // The initialize request that created it is in flight: it ends through end().
        session = { id, pair, reservation: reservation!, requests: 1, streams: 0, timer: null }
        this.#sessions.set(id, session)
      },
    })
    pair = { server, transport }
    // Set before connect(): the SDK chains its own close handling after ours. A session ends
    // by DELETE, by its server closing, by expiry or eviction, or by shutdown; each lands here.
    transport.onclose = () => {
      this.#loose.delete(pair)
      if (session !== null) this.#forget(session)
    }
    this.#loose.add(pair)
    try {
      await server.connect(transport)
    } catch (error) {
      if (reservation !== null) this.#budget.release(reservation)
      this.#loose.delete(pair)
      throw error
    }
    return pair
  }

  /**
   * The initialize request of `pair` was answered: its session (if one was made) is counted as
   * idle-able; if none was, its reservation is given back.
   */
  initialized(pair: McpPair, reservation: Reservation): void {
    const id = pair.transport.sessionId
    const session = id === undefined ? undefined : this.#sessions.get(id)
    if (session !== undefined && session.pair === pair) this.end(session, false)
    else this.giveBack(reservation)
  }

  /** A reservation no session will hold (the initialize failed before one was made). */
  giveBack(reservation: Reservation): void {
    this.#budget.release(reservation)
  }

  /** Closes one pair: the transport first (its streams end), then the server. */
  async close(pair: McpPair): Promise<void> {
    await pair.transport.close()
    await pair.server.close()
  }

  /** Closes a pair that never became a session (its initialize was refused). */
  async discardIfLoose(pair: McpPair): Promise<void> {
    if (this.#loose.has(pair)) await this.close(pair)
  }

  /**
   * Ends every session's standalone GET stream (the one that never finishes by itself), so the
   * drain can complete; requests in flight keep their own streams until they are answered.
   */
  endStandaloneStreams(): void {
    for (const session of this.#sessions.values()) session.pair.transport.closeStandaloneSSEStream()
  }

  /** Closes every pair; each is attempted, and the failures are returned as sentences. */
  async closeAll(): Promise<string[]> {
    const pairs = [...[...this.#sessions.values()].map((s) => s.pair), ...this.#loose]
    for (const session of [...this.#sessions.values()]) this.#forget(session)
    const results = await Promise.allSettled(pairs.map((pair) => this.close(pair)))
    const problems: string[] = []
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const id = pairs[index]!.transport.sessionId
        problems.push(`closing MCP ${id === undefined ? 'request' : `session ${id}`} failed: ${describeError(result.reason)}`)
      }
    })
    return problems
  }
}

function isIdle(session: McpSession): boolean {
  return session.requests === 0 && session.streams === 0
}

/** No request in flight: at most a GET stream open, which the server may end. */
function isQuiet(session: McpSession): boolean {
  return session.requests === 0
}
