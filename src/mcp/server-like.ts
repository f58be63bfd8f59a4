// What mcpApp asks of the user's server factory, and the pair it keeps per session.

import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { AppState } from '../protocol/types.ts'

/** What `mcpApp` needs of a server: McpServer and the SDK's low-level Server both fit. */
export interface McpServerLike {
  connect(transport: Transport): Promise<void>
  close(): Promise<void>
}

export interface McpPair {
  server: McpServerLike
  transport: WebStandardStreamableHTTPServerTransport
}

/** What a server factory is given: the lifespan state as the request that asked for it sees it, and the session's id. */
export interface McpServerContext {
  state: AppState
  /** The id the session will have (undefined in stateless mode). */
  sessionId: string | undefined
}

export type McpServerFactory = (context: McpServerContext) => McpServerLike
