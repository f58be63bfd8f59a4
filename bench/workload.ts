// What a bench suite declares: its baseline, its bar, and how to ready a fresh server for load.
// The runner is the same for every suite; only this differs.

import type { LoadOptions, LoadResult } from './autocannon.ts'

export interface Workload {
  /** One line saying what is sent, for the report. */
  title: string
  /** The server file every other one is compared with, in the same round. */
  baseline: string
  /**
   * Contenders compared with a baseline of their own instead (the embed suite: each host's
   * native route against tsgi mounted in that host): contender name → its baseline's name.
   * Those baselines get no ratio themselves.
   */
  pairs?: Record<string, string>
  /**
   * Servers measured for reference, not for the bar: control name → the baseline it is compared
   * with. A control isolates a cost that is not tsgi's per-request work (in the embed suite: the
   * host's own promise path; a host process that keeps nextTick's shapes alive, as tsgi's bridges
   * do), so a run tells that share of a ratio from tsgi's.
   */
  controls?: Record<string, string>
  /** The median req/s ratio to the baseline a contender must reach; 0: none (the suite reports a cost). */
  bar: number
  connections: number
  pipelining: number
  /**
   * Readies a freshly started server (opens a session, say), checks that it answers exactly as
   * the baseline must, and returns the load to send. Throws, naming the server, when it does not.
   */
  prepare(name: string, origin: string): Promise<Omit<LoadOptions, 'connections' | 'pipelining' | 'duration'>>
  /** A load of its own instead of autocannon's HTTP (the websocket suite's echo round trips), with the same result. */
  load?(options: LoadOptions): Promise<LoadResult>
  /** Why the suite cannot run on this machine (its load generator is missing), or null; the run skips it with the reason. */
  unavailable?(): string | null
  /** Figures that are not req/s (memory, say), measured once after the rounds; lines to print. */
  report?(): Promise<string[]>
}
