// The live MCP sessions of one mcpApp: one server and one web-standard transport per session
// (the SDK binds a server to a single transport), plus the per-request pairs of stateless mode.
// Closing them all is the app's shutdown: closing a transport ends its SSE streams, which ends
// the HTTP responses carrying them.

import { randomUUID } from 'node:crypto'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { describeError } from '../protocol/errors.ts'

/** What `mcpApp` needs of a server: McpServer and the SDK's low-level Server both fit. */
export interface McpServerLike {
  connect(transport: Transport): Promise<void>
  close(): Promise<void>
}

export interface McpPair {
  server: McpServerLike
  transport: WebStandardStreamableHTTPServerTransport
}

/** What a server factory is given: the lifespan state as the request that asked for it sees it. */
export interface McpServerContext {
  state: Record<string, unknown>
}

export type McpServerFactory = (context: McpServerContext) => McpServerLike

export interface SessionOptions {
  factory: McpServerFactory
  jsonResponse: boolean
}

export class McpSessions {
  readonly #options: SessionOptions
  readonly #sessions = new Map<string, McpPair>()
  /** Pairs not (yet) filed under a session id: stateless requests, unfinished initializations. */
  readonly #loose = new Set<McpPair>()

  constructor(options: SessionOptions) {
    this.#options = options
  }

  get size(): number {
    return this.#sessions.size
  }

  get(id: string): McpPair | undefined {
    return this.#sessions.get(id)
  }

  /** A new pair: a session-keeping one, filed once the SDK assigns its id, or a stateless one. */
  async open(stateful: boolean, state: Record<string, unknown>): Promise<McpPair> {
    const server = this.#options.factory({ state })
    if (server === null || typeof server !== 'object' || typeof server.connect !== 'function') {
      throw new TypeError(`mcpApp: server() must return an McpServer, got ${server === null ? 'null' : typeof server}`)
    }
    let pair!: McpPair
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: stateful ? randomUUID : undefined,
      enableJsonResponse: this.#options.jsonResponse,
      onsessioninitialized: (id) => {
        this.#loose.delete(pair)
        this.#sessions.set(id, pair)
      },
    })
    pair = { server, transport }
    // Set before connect(): the SDK chains its own close handling after ours. A session ends
    // by DELETE, by its server closing, or by shutdown; each lands here once.
    transport.onclose = () => {
      this.#loose.delete(pair)
      if (transport.sessionId !== undefined && this.#sessions.get(transport.sessionId) === pair) {
        this.#sessions.delete(transport.sessionId)
      }
    }
    this.#loose.add(pair)
    await server.connect(transport)
    return pair
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
    for (const pair of this.#sessions.values()) pair.transport.closeStandaloneSSEStream()
  }

  /** Closes every pair; each is attempted, and the failures are returned as sentences. */
  async closeAll(): Promise<string[]> {
    const pairs = [...this.#sessions.values(), ...this.#loose]
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
