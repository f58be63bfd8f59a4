// One forked worker as the primary sees it: its slot, its phase, a promise for its readiness
// and one for its exit, and the kill timer that bounds its shutdown.

import type { Worker } from 'node:cluster'

import { LifespanStartupError } from '../protocol/errors.ts'
import { isWorkerMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts'

export type WorkerPhase = 'starting' | 'running' | 'retiring' | 'stopping'

/** What `server.workers` lists: one entry per live worker process. */
export interface WorkerInfo {
  /** node:cluster's worker id. */
  readonly id: number
  readonly pid: number
  readonly phase: WorkerPhase
}

export interface Exit {
  code: number | null
  signal: string | null
}

export function describeExit({ code, signal }: Exit): string {
  return signal === null ? `code ${code}` : `signal ${signal}`
}

export class Member {
  readonly worker: Worker
  readonly slot: number
  /** A reload's replacement: it takes its slot only once ready. */
  readonly replacement: boolean
  phase: WorkerPhase = 'starting'
  /** The primary asked it to stop (shutdown or retirement): its exit is not a crash. */
  asked = false
  /** The message of the startup failure it reported, for the error its exit turns into. */
  failure: string | null = null
  readonly ready: Promise<void>
  readonly exited: Promise<Exit>
  #settleReady!: { resolve: () => void; reject: (error: Error) => void }
  #killTimer: NodeJS.Timeout | undefined
  #uptimeTimer: NodeJS.Timeout | undefined

  constructor(worker: Worker, slot: number, replacement: boolean) {
    this.worker = worker
    this.slot = slot
    this.replacement = replacement
    this.ready = new Promise<void>((resolve, reject) => (this.#settleReady = { resolve, reject }))
    // Nobody may be waiting (a restart's readiness); the rejection is read through `ready` when someone is.
    this.ready.catch(() => undefined)
    this.exited = new Promise<Exit>((resolve) => {
      worker.once('exit', (code: number | null, signal: string | null) => {
        clearTimeout(this.#killTimer)
        clearTimeout(this.#uptimeTimer)
        resolve({ code, signal })
      })
    })
  }

  get id(): number {
    return this.worker.id
  }

  get pid(): number {
    return this.worker.process.pid ?? 0
  }

  get info(): WorkerInfo {
    return { id: this.id, pid: this.pid, phase: this.phase }
  }

  onMessage(listener: (message: WorkerMessage) => void): void {
    this.worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) listener(message)
    })
  }

  /** Why it never became ready, for the error the boot or the reload rejects with. */
  startupError(exit: Exit | null): LifespanStartupError {
    const what = this.replacement ? `the new worker for slot ${this.slot}` : `worker ${this.id}`
    const detail =
      this.failure !== null
        ? `failed its startup: ${this.failure}`
        : `exited before it was ready${exit === null ? '' : ` (${describeExit(exit)})`}`
    return new LifespanStartupError(`${what} ${detail}`)
  }

  markReady(): void {
    if (!this.asked) this.phase = 'running'
    this.#settleReady.resolve()
  }

  failReady(error: Error): void {
    this.#settleReady.reject(error)
  }

  /** Calls `onUptime` once it has served `windowMs` (the crash backoff resets then). */
  watchUptime(windowMs: number, onUptime: () => void): void {
    this.#uptimeTimer = setTimeout(onUptime, windowMs)
    this.#uptimeTimer.unref()
  }

  /**
   * Asks it to stop and kills it once `budgetMs` passed: a worker that overruns its own
   * shutdown budget is stuck, and the machine's shutdown must not wait for it forever.
   */
  ask(message: PrimaryMessage, budgetMs: number, onKill: () => void): void {
    if (this.asked) return
    this.asked = true
    this.phase = message.type === 'retire' ? 'retiring' : 'stopping'
    this.#send(message)
    this.#killTimer = setTimeout(() => {
      onKill()
      this.kill()
    }, budgetMs)
  }

  kill(): void {
    try {
      this.worker.process.kill('SIGKILL')
    } catch {
      // Already gone.
    }
  }

  #send(message: PrimaryMessage): void {
    // A worker that just died has no channel; its exit event follows and settles everything.
    if (!this.worker.isConnected()) return
    // With a callback, a channel that closed between the check and the send is reported
    // to it instead of as an 'error' event that nobody listens to.
    this.worker.send(message, () => undefined)
  }
}
