// Drives one app's lifespan from outside: what a server does to the app it hosts, and what a
// router does to each child. Every message is checked against the table in protocol/lifespan.
//
// How an app's silence is read (DESIGN.md, "Failures"):
// - it throws before it has received lifespan.startup: it does not support lifespan; skipped;
// - it returns before it has received anything: it has nothing to do; treated as complete;
// - it received a phase's message and then throws or returns without answering: that phase failed.

import { readTimeout, withDeadline } from './deadline.ts'
import { silentLogger } from '../logging.ts'
import {
  InvalidArgumentError,
  LifespanShutdownError,
  LifespanStartupError,
  LifespanTimeoutError,
  describeError,
} from '../protocol/errors.ts'
import { LifespanInbox } from './inbox.ts'
import { setFrame, type TimingFrame } from './timings.ts'
import { LifespanConversation } from '../protocol/lifespan.ts'
import {
  TSGI_VERSION,
  type App,
  type AppState,
  type LifespanReceiveMessage,
  type LifespanScope,
  type LifespanSendMessage,
  type Logger,
  type SendMessage,
} from '../protocol/types.ts'

export interface LifespanManagerOptions {
  /** Bounds the app's startup; default 60 000 ms. `Infinity` waits forever. */
  startupTimeoutMs?: number
  /** Bounds the app's shutdown; default 30 000 ms. `Infinity` waits forever. */
  shutdownTimeoutMs?: number
  /** The state object the app writes to during startup; shared, not copied. */
  state?: object
  logger?: Logger
  /** How errors and logs name this app: a mount path, or 'app' (the default). */
  name?: string
  /** Put on the lifespan scope: aborted by the server when it begins to drain. */
  draining?: AbortSignal
  /** The frame of the host or router timing this app: its startup and shutdown become nodes there, named by `name`. */
  timing?: TimingFrame | undefined
}

type Exit = { threw: false } | { threw: true; error: unknown }

interface Answer {
  resolve(message: LifespanSendMessage): void
  promise: Promise<LifespanSendMessage>
}

function expectAnswer(): Answer {
  let resolve!: (message: LifespanSendMessage) => void
  const promise = new Promise<LifespanSendMessage>((r) => (resolve = r))
  return { resolve, promise }
}

/** Reads one phase's outcome: the app's answer, or how it ended without one. */
type Outcome = { answer: LifespanSendMessage } | { exit: Exit }

export class LifespanManager implements AsyncDisposable {
  readonly #app: App
  readonly #name: string
  readonly #logger: Logger
  readonly #state: AppState
  readonly #draining: AbortSignal | undefined
  readonly #timing: TimingFrame | undefined
  #frame: TimingFrame | undefined
  readonly #startupTimeoutMs: number
  readonly #shutdownTimeoutMs: number
  readonly #conversation = new LifespanConversation()
  // The conversation is the app's: it moves when the app takes a message, not when one is queued.
  readonly #inbox = new LifespanInbox((message) => this.#conversation.advance(message))
  #answer: Answer | null = null
  #exit: Promise<Exit> | null = null
  #exited: Exit | null = null
  #supported = true
  #startupAbandoned = false
  #startup: Promise<void> | null = null
  #shutdown: Promise<void> | null = null

  constructor(app: App, options: LifespanManagerOptions = {}) {
    if (typeof app !== 'function') throw new InvalidArgumentError(`LifespanManager needs an app function, got ${typeof app}`)
    this.#app = app
    this.#name = options.name ?? 'app'
    this.#logger = options.logger ?? silentLogger
    this.#state = (options.state ?? {}) as AppState
    this.#draining = options.draining
    this.#timing = options.timing
    this.#startupTimeoutMs = readTimeout(options.startupTimeoutMs, 'startupTimeoutMs', 60_000)
    this.#shutdownTimeoutMs = readTimeout(options.shutdownTimeoutMs, 'shutdownTimeoutMs', 30_000)
  }

  get state(): AppState {
    return this.#state
  }

  /** False when the app refused the lifespan scope (it threw before receiving startup). */
  get supported(): boolean {
    return this.#supported
  }

  /** Resolves once the app completed startup; rejects with LifespanStartupError or LifespanTimeoutError. */
  startup(): Promise<void> {
    const parent = this.#timing
    this.#startup ??=
      parent === undefined
        ? this.#runStartup()
        : parent.child(this.#name, (frame) => {
            this.#frame = frame
            return this.#runStartup()
          })
    return this.#startup
  }

  /** Idempotent; a no-op unless startup completed. Rejects with LifespanShutdownError or LifespanTimeoutError. */
  shutdown(): Promise<void> {
    const [parent, frame] = [this.#timing, this.#frame]
    this.#shutdown ??=
      parent === undefined || frame === undefined ? this.#runShutdown() : parent.shutdownOf(frame, this.#name, () => this.#runShutdown())
    return this.#shutdown
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown()
  }

  async #runStartup(): Promise<void> {
    const outcome = await this.#exchange({ type: 'lifespan.startup' }, 'startup', this.#startupTimeoutMs)
    if ('answer' in outcome) {
      if (outcome.answer.type === 'lifespan.startup.complete') return this.#watchWhileStarted()
      throw this.#failure(LifespanStartupError, 'failed to start', outcome.answer)
    }
    if (outcome.exit.threw && this.#inbox.taken === 'nothing') {
      this.#supported = false
      this.#logger.debug(`tsgi: '${this.#name}' does not support lifespan; skipped`)
      return
    }
    if (outcome.exit.threw) {
      throw new LifespanStartupError(`'${this.#name}' failed to start: ${describeError(outcome.exit.error)}`, {
        cause: outcome.exit.error,
      })
    }
    if (this.#inbox.taken !== 'nothing') {
      throw new LifespanStartupError(`'${this.#name}' returned without answering lifespan.startup`)
    }
    // Returned before receiving anything: nothing to start, nothing to stop.
  }

  async #runShutdown(): Promise<void> {
    if (this.#startup === null) return
    // A shutdown asked for during startup waits for startup to settle, then undoes what started.
    await this.#startup.catch(() => undefined)
    if (this.#conversation.state !== 'started') return
    if (this.#exited !== null) {
      if (!this.#exited.threw) return
      const error = this.#exited.error
      throw new LifespanShutdownError(`'${this.#name}' stopped with an error while running: ${describeError(error)}`, {
        cause: error,
      })
    }
    const outcome = await this.#exchange({ type: 'lifespan.shutdown' }, 'shutdown', this.#shutdownTimeoutMs)
    if ('answer' in outcome) {
      if (outcome.answer.type === 'lifespan.shutdown.complete') return
      throw this.#failure(LifespanShutdownError, 'failed to shut down', outcome.answer)
    }
    if (outcome.exit.threw) {
      throw new LifespanShutdownError(`'${this.#name}' failed to shut down: ${describeError(outcome.exit.error)}`, {
        cause: outcome.exit.error,
      })
    }
    if (this.#inbox.taken === 'lifespan.shutdown') {
      throw new LifespanShutdownError(`'${this.#name}' returned without answering lifespan.shutdown`)
    }
  }

  /** Sends one message and waits, within the phase's time limit, for the answer or the app's end. */
  async #exchange(message: LifespanReceiveMessage, phase: 'startup' | 'shutdown', timeoutMs: number): Promise<Outcome> {
    const answer = expectAnswer()
    this.#answer = answer
    this.#inbox.deliver(message)
    this.#exit ??= this.#run()
    const outcome = Promise.race([answer.promise.then((a): Outcome => ({ answer: a })), this.#exit.then((exit): Outcome => ({ exit }))])
    return withDeadline(
      outcome,
      timeoutMs,
      () => new LifespanTimeoutError(phase, this.#name, timeoutMs),
      () => {
        if (phase === 'startup') this.#startupAbandoned = true
      },
    )
  }

  #run(): Promise<Exit> {
    const scope: LifespanScope = { type: 'lifespan', tsgi: { version: TSGI_VERSION }, state: this.#state, logger: this.#logger }
    if (this.#draining !== undefined) scope.draining = this.#draining
    if (this.#frame !== undefined) setFrame(scope, this.#frame)
    let running: Promise<void>
    try {
      running = Promise.resolve(this.#app(scope, this.#inbox.receive, this.#send))
    } catch (error) {
      running = Promise.reject(error)
    }
    return running.then(
      (): Exit => (this.#exited = { threw: false }),
      (error: unknown): Exit => (this.#exited = { threw: true, error }),
    )
  }

  /** After startup.complete the app keeps running until shutdown; a crash then is logged now and reported at shutdown. */
  #watchWhileStarted(): void {
    void this.#exit?.then((exit) => {
      if (exit.threw && this.#conversation.state === 'started') {
        this.#logger.error(`tsgi: '${this.#name}' stopped with an error after startup completed`)
      }
    })
  }

  readonly #send = async (message: SendMessage): Promise<void> => {
    const state = this.#conversation.advance(message)
    this.#answer?.resolve(message as LifespanSendMessage)
    if (state === 'started' && this.#startupAbandoned) this.#stopLateStarter()
  }

  /**
   * Startup timed out, so nobody will ever shut this app down, yet it just finished starting:
   * whatever it opened would leak. Tell it to stop at once; its answer is only logged.
   */
  #stopLateStarter(): void {
    this.#logger.warn(`tsgi: '${this.#name}' finished startup after its time limit; shutting it down`)
    this.#answer = null
    this.#inbox.deliver({ type: 'lifespan.shutdown' })
  }

  #failure(Kind: typeof LifespanStartupError | typeof LifespanShutdownError, verb: string, answer: LifespanSendMessage): Error {
    const failed = answer as { message?: unknown; error?: unknown; errors?: unknown[] }
    const text = typeof failed.message === 'string' && failed.message !== '' ? failed.message : '(no message)'
    const options: { cause?: unknown; errors?: unknown[] } = {}
    if (failed.error !== undefined) options.cause = failed.error
    if (Array.isArray(failed.errors)) options.errors = failed.errors
    return new Kind(`'${this.#name}' ${verb}: ${text}`, options)
  }
}
