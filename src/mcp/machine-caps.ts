// mcpApp's per-client caps (sessions, GET streams) for the whole machine. Under
// serve({ workers }) a client's connections, and so its sessions and streams, are spread over
// every worker: a count kept in each worker would let one address hold the cap in every one. So
// there the counts live in the primary (cluster/client-tally.ts); on one process the session
// table's own per-client count is already the machine's, and streams are counted here.

import { MachineClientTally } from '../cluster/client-tally.ts'
import { ClientCounts } from './client-counts.ts'
import type { McpSessions } from './sessions.ts'

/** A per-client cap: this process's own count, or the machine's under workers. */
export interface ClientCap {
  take(client: string): boolean | Promise<boolean>
  release(client: string): void
}

export interface McpClientCaps {
  streams: ClientCap
  /** The machine's session count under workers; null on one process (the session table counts). */
  sessions: MachineClientTally | null
}

/** `app` names the mcpApp the same in every worker (the order the script builds it in). */
export function mcpClientCaps(app: number, clustered: boolean, streamsPerClient: number, sessionsPerClient: number): McpClientCaps {
  if (!clustered) return { streams: new ClientCounts(streamsPerClient), sessions: null }
  return {
    streams: new MachineClientTally(`mcp ${app} streams`, streamsPerClient),
    sessions: new MachineClientTally(`mcp ${app} sessions`, sessionsPerClient),
  }
}

/**
 * Whether the machine lets `client` open one more session, counted if so. At the cap, this
 * client's own least recently used idle session in this worker makes room, as the session table
 * does on one process (its release reaches the primary before the second take, on one channel).
 */
export async function admitSession(tally: MachineClientTally, sessions: McpSessions, client: string): Promise<boolean> {
  if (await tally.take(client)) return true
  return sessions.endIdleOf(client) && (await tally.take(client))
}
