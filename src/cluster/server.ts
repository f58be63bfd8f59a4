// The Server face of a cluster: what serve({ workers }) resolves with, in the primary (the
// whole machine's server) and in each worker (its own process, with no say over the others).

import type { LifecycleRunner } from '../lifecycle/runner.ts'
import type { Phase } from '../lifecycle/table.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { AppState } from '../protocol/types.ts'
import type { Server, Timings } from '../serve/serve.ts'
import type { WorkerInfo } from './member.ts'
import type { WorkerPool } from './pool.ts'

export type { WorkerInfo, WorkerPhase } from './member.ts'

export interface ClusterServer extends Server {
  /**
   * In the primary: every live worker process (id, pid, phase). In a worker, or with one
   * process: empty.
   */
  readonly workers: readonly WorkerInfo[]
  /**
   * Rolling reload: one worker at a time, a new one is forked and, once ready, the old one
   * retires (it stops taking connections, answers `Connection: close` for `reloadGraceMs`, then
   * drains). Rejects with the new worker's LifespanStartupError when one fails its startup; the
   * old worker keeps serving. Joins a reload already running. The primary's hooks do not run.
   * Only the primary reloads; elsewhere it rejects with InvalidArgumentError.
   */
  reload(): Promise<void>
}

/** The primary's server: its own lifecycle (the primary hooks) around the pool of workers. */
export class PrimaryServer implements ClusterServer {
  readonly #runner: LifecycleRunner
  readonly #pool: WorkerPool

  constructor(runner: LifecycleRunner, pool: WorkerPool) {
    this.#runner = runner
    this.#pool = pool
  }

  get url(): string {
    return this.#pool.url
  }

  /** The primary's lifecycle: 'running' while workers serve (reloads included), 'draining' while they stop. */
  get phase(): Phase {
    return this.#runner.phase
  }

  /** The primary's lifespan state (what its hooks stored); workers have their own. */
  get state(): AppState {
    return this.#runner.state
  }

  get workers(): readonly WorkerInfo[] {
    return this.#pool.workers
  }

  /** The primary's trees: its own steps, each worker's startup under `workers`, each worker's stop under the drain. */
  get timings(): Timings {
    return this.#runner.timings
  }

  get closed(): Promise<void> {
    return this.#runner.closed
  }

  reload(): Promise<void> {
    return this.#pool.reload()
  }

  close(): Promise<void> {
    return this.#runner.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

/** A worker's (or a single process's) server, with the cluster's face: no workers, no reload. */
export class SoloServer implements ClusterServer {
  readonly workers: readonly WorkerInfo[] = []
  readonly #server: Server
  readonly #close: () => Promise<void>
  readonly #role: string

  constructor(server: Server, role: 'worker' | 'single', close: () => Promise<void> = () => server.close()) {
    this.#server = server
    this.#close = close
    this.#role = role
  }

  get url(): string {
    return this.#server.url
  }

  get phase(): Phase {
    return this.#server.phase
  }

  get state(): AppState {
    return this.#server.state
  }

  get timings(): Timings {
    return this.#server.timings
  }

  get closed(): Promise<void> {
    return this.#server.closed
  }

  reload(): Promise<void> {
    const where =
      this.#role === 'worker'
        ? 'this is a worker: send SIGHUP to the primary (process.ppid) or call reload() there'
        : 'this server runs one process (workers is 1)'
    return Promise.reject(new InvalidArgumentError(`reload() needs the primary of serve({ workers }); ${where}`))
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
