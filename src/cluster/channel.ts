// The primary's worker events on diagnostics_channel `tsgi:cluster`, one object per event:
// tests, logs and telemetry read the same trace, as they do `tsgi:lifecycle`.

import diagnostics from 'node:diagnostics_channel'

export type ClusterEventName = 'fork' | 'ready' | 'exit' | 'restart' | 'give-up' | 'reload'

export interface ClusterTrace {
  event: ClusterEventName
  /** node:cluster's worker id (unique for the primary's life); 0 for events about no one worker. */
  worker: number
  /** The worker's pid; the primary's for events about no one worker. */
  pid: number
  /** Which of the `workers` places it holds (0 … workers - 1); -1 for events about no one worker. */
  slot: number
  /** exit: the exit code, or null when a signal ended it. */
  code?: number | null
  /** exit: the signal that ended it, or null. */
  signal?: string | null
  /** exit: whether the primary had asked it to stop. */
  asked?: boolean
  /** restart: the backoff waited before the fork. */
  delayMs?: number
  /** reload: 'start', 'replaced' (one slot done), 'done', or 'aborted'. */
  step?: 'start' | 'replaced' | 'done' | 'aborted'
  /** Milliseconds since serve() was called in the primary. */
  ms: number
}

export const clusterChannel = diagnostics.channel('tsgi:cluster')

export function publishCluster(since: number, event: Omit<ClusterTrace, 'ms'>): void {
  if (!clusterChannel.hasSubscribers) return
  clusterChannel.publish({ ...event, ms: performance.now() - since })
}
