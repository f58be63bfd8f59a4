// serve(): runs an app tree on node:http and owns its composed lifecycle. The sequences are
// lists of steps (data); lifecycle.ts decides the phases; step.ts bounds, traces and logs
// each step. Startup: app, lifespan setups, onStartup hooks, listen. Shutdown: drain,
// onShutdown hooks, lifespan teardowns reversed, the app's shutdown. Every shutdown step runs
// even when an earlier one failed; the first error is primary and the rest ride along.

import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { drainAwareResponse, drainServer, type DrainSignal } from './drain.ts'
import { withHealth } from './health.ts'
import { Lifecycle, type Phase } from './lifecycle.ts'
import { LifespanManager } from './lifespan.ts'
import { functionName, setUpLifespanFn, type RunningLifespanFn } from './lifespan-fn.ts'
import { toNodeHandler } from './node.ts'
import { InvalidArgumentError, LifespanShutdownError, LifespanStartupError, originalErrors } from './protocol/errors.ts'
import type { App, LifespanContext, LifespanHook } from './protocol/types.ts'
import { readServeOptions, type ServeConfig, type ServeOptions } from './serve-options.ts'
import { onSignals, signalExitCode, type SignalHandlers } from './signals.ts'
import { StepRunner, type Step } from './step.ts'

export type { ServeOptions } from './serve-options.ts'
export type { Phase } from './lifecycle.ts'

export interface Server extends AsyncDisposable {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly phase: Phase
  /** The lifespan state; each request sees a shallow copy. */
  readonly state: Record<string, unknown>
  /** Graceful shutdown. Idempotent: later callers join the running one. Rejects with LifespanShutdownError. */
  close(): Promise<void>
  /** Resolves when the server stopped, however it stopped; never rejects. */
  readonly closed: Promise<void>
}

/**
 * Starts `app` and listens once every startup step completed; rejects with
 * LifespanStartupError (nothing listening) when one fails.
 * @example
 * const server = await serve(app, {
 *   onStartup: [async ({ state }) => { state.scheduler = startScheduler() }],
 *   onShutdown: [async ({ state }) => { await (state.scheduler as Scheduler).stop() }],
 * })
 */
export async function serve(app: App, options: ServeOptions = {}): Promise<Server> {
  const since = performance.now()
  if (typeof app !== 'function') throw new InvalidArgumentError(`serve() needs an app function, got ${typeof app}`)
  const server = new TsgiServer(app, readServeOptions(options), since)
  await server.start()
  return server
}

class TsgiServer implements Server {
  readonly #config: ServeConfig
  readonly #lifecycle: Lifecycle
  readonly #steps: StepRunner
  readonly #state: Record<string, unknown> = {}
  readonly #app: LifespanManager
  readonly #http: HttpServer
  readonly #drain: DrainSignal = { draining: false }
  readonly #teardowns: Array<{ name: string; running: RunningLifespanFn }> = []
  readonly #signals: SignalHandlers | null
  #appStarted = false
  #reachedHooks = false
  #signal: NodeJS.Signals | null = null
  #closing: Promise<void> | null = null
  #url = ''
  #markClosed!: () => void
  readonly closed = new Promise<void>((resolve) => (this.#markClosed = resolve))

  constructor(app: App, config: ServeConfig, since: number) {
    this.#config = config
    this.#lifecycle = new Lifecycle(since)
    this.#steps = new StepRunner(this.#lifecycle, config.logger, config.logDetails)
    this.#app = new LifespanManager(app, {
      name: 'app',
      state: this.#state,
      logger: config.logger,
      startupTimeoutMs: config.startupTimeoutMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    })
    const handler = toNodeHandler(app, { state: this.#state, logger: config.logger, ...(config.maxBodyBytes === undefined ? {} : { maxBodyBytes: config.maxBodyBytes }) })
    const listener = config.health === null ? handler : withHealth(handler, config.health, () => this.#lifecycle.phase === 'running')
    this.#http = createServer({ ServerResponse: drainAwareResponse(this.#drain) }, listener)
    this.#signals = config.signals.length === 0 ? null : onSignals(config.signals, (s) => this.#onFirstSignal(s), (s) => this.#onSecondSignal(s))
  }

  get url(): string {
    return this.#url
  }

  get phase(): Phase {
    return this.#lifecycle.phase
  }

  get state(): Record<string, unknown> {
    return this.#state
  }

  async start(): Promise<void> {
    const steps = this.#startupSteps()
    for (const [i, step] of steps.entries()) {
      // A signal during startup lets the running step finish and skips the rest.
      if (this.#signal !== null) return this.#abandonStartup(steps.slice(i), null)
      if (step.kind === 'onStartup' || step.kind === 'listen') this.#reachedHooks = true
      const error = await this.#steps.run(step)
      if (error !== undefined) return this.#abandonStartup(steps.slice(i + 1), { step: step.name, error })
    }
    if (this.#signal !== null) return this.#abandonStartup([], null)
    this.#lifecycle.apply('started')
    this.#http.on('error', (error) => this.#config.logger.error('tsgi: the HTTP server reported an error', error))
    this.#config.logger.info(`tsgi: listening on ${this.#url}`)
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #startupSteps(): Step[] {
    const { lifespan, onStartup, startupTimeoutMs, logger } = this.#config
    const startApp = async (): Promise<void> => {
      await this.#app.startup()
      this.#appStarted = true
    }
    return [
      // The manager bounds the app itself, so its timeout error names the step 'app'.
      { kind: 'app', name: 'app', phase: 'startup', timeoutMs: Infinity, run: startApp },
      ...lifespan.map((fn, i): Step => {
        const name = `lifespan[${i}] ${functionName(fn)}`
        const run = async (): Promise<void> => {
          this.#teardowns.push({ name, running: await setUpLifespanFn(fn, { name, state: this.#state, logger, startupTimeoutMs }) })
        }
        return { kind: 'lifespan', name, phase: 'startup', timeoutMs: Infinity, run }
      }),
      ...onStartup.map((hook, i) => this.#hookStep('onStartup', i, hook, startupTimeoutMs)),
      { kind: 'listen', name: 'listen', phase: 'startup', timeoutMs: startupTimeoutMs, run: () => this.#listen() },
    ]
  }

  /** The cleanup half: hooks (only once the hooks phase was reached), teardowns reversed, the app. */
  #shutdownSteps(): Array<Step & { skip: boolean }> {
    const { onShutdown, shutdownTimeoutMs } = this.#config
    const teardowns = [...this.#teardowns].reverse().map(({ name, running }) => ({
      kind: 'teardown' as const,
      name,
      phase: 'shutdown' as const,
      timeoutMs: Infinity,
      run: () => running.teardown(shutdownTimeoutMs),
      skip: false,
    }))
    return [
      ...onShutdown.map((hook, i) => ({ ...this.#hookStep('onShutdown', i, hook, shutdownTimeoutMs), skip: !this.#reachedHooks })),
      ...teardowns,
      { kind: 'app-shutdown', name: 'app', phase: 'shutdown', timeoutMs: Infinity, run: () => this.#app.shutdown(), skip: !this.#appStarted },
    ]
  }

  #hookStep(kind: 'onStartup' | 'onShutdown', index: number, hook: LifespanHook, timeoutMs: number): Step {
    const context = (signal: AbortSignal): LifespanContext => ({ state: this.#state, signal, logger: this.#config.logger })
    return {
      kind,
      name: `${kind}[${index}] ${functionName(hook)}`,
      phase: kind === 'onStartup' ? 'startup' : 'shutdown',
      timeoutMs,
      run: (signal) => hook(context(signal)),
    }
  }

  /** Runs every step, even after a failure; returns the failures in order. */
  async #runShutdown(): Promise<Array<{ step: string; error: unknown }>> {
    const failures: Array<{ step: string; error: unknown }> = []
    for (const step of this.#shutdownSteps()) {
      if (step.skip) {
        this.#steps.skip(step.kind, step.name)
        continue
      }
      const error = await this.#steps.run(step)
      if (error !== undefined) failures.push({ step: step.name, error })
    }
    return failures
  }

  async #abandonStartup(rest: Step[], failure: { step: string; error: unknown } | null): Promise<void> {
    for (const step of rest) this.#steps.skip(step.kind, step.name)
    this.#lifecycle.apply(failure === null ? 'interrupted' : 'startup-failed')
    if (this.#http.listening) await drainServer(this.#http, this.#config.drainTimeoutMs, this.#drain)
    const cleanup = await this.#runShutdown()
    this.#lifecycle.apply(failure === null ? 'shutdown-done' : 'rollback-done')
    this.#finish(failure !== null || cleanup.length > 0)
    const errors = [failure, ...cleanup].flatMap((f) => (f === null ? [] : originalErrors(f.error).errors))
    if (failure === null) {
      throw new LifespanStartupError(`startup was interrupted by ${this.#signal}; the server never listened`, { errors })
    }
    // The app's text names the failing mount paths; hook errors stay in `cause`, out of the message.
    const detail = failure.step === 'app' && failure.error instanceof Error ? `: ${failure.error.message}` : ''
    throw new LifespanStartupError(`startup failed at ${failure.step}${detail}; the server never listened`, {
      cause: originalErrors(failure.error).cause,
      errors,
    })
  }

  async #close(): Promise<void> {
    if (this.#lifecycle.phase !== 'running') return this.closed
    this.#lifecycle.apply('close')
    this.#lifecycle.step('drain', 'drain', 'start')
    const drained = await drainServer(this.#http, this.#config.drainTimeoutMs, this.#drain)
    this.#lifecycle.step('drain', 'drain', drained)
    if (drained === 'timeout') {
      this.#config.logger.warn(`tsgi: in-flight requests did not finish within ${this.#config.drainTimeoutMs} ms; their connections were closed`)
    }
    this.#lifecycle.apply('drained')
    const failures = await this.#runShutdown()
    this.#lifecycle.apply('shutdown-done')
    this.#finish(failures.length > 0)
    if (failures.length > 0) {
      throw new LifespanShutdownError(`shutdown failed at ${failures.map((f) => f.step).join(', ')}`, {
        cause: originalErrors(failures[0]!.error).cause,
        errors: failures.flatMap((f) => originalErrors(f.error).errors),
      })
    }
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject)
      this.#http.listen(this.#config.port, this.#config.host, () => {
        this.#http.off('error', reject)
        const { port } = this.#http.address() as AddressInfo
        const host = this.#config.host.includes(':') ? `[${this.#config.host}]` : this.#config.host
        this.#url = `http://${host}:${port}`
        resolve()
      })
    })
  }

  /** Stopped for good: signal listeners go, `closed` resolves, and a signalled process exits. */
  #finish(failed: boolean): void {
    this.#signals?.uninstall()
    this.#markClosed()
    // A forgotten timer or socket must not keep a signalled pod alive.
    if (this.#signal !== null) process.exit(failed ? 1 : 0)
  }

  #onFirstSignal(signal: NodeJS.Signals): void {
    this.#signal = signal
    this.#config.logger.info(`tsgi: ${signal} received; shutting down gracefully (send it again to exit at once)`)
    if (this.#lifecycle.phase === 'running') this.close().catch(() => undefined)
  }

  #onSecondSignal(signal: NodeJS.Signals): void {
    this.#config.logger.warn(`tsgi: ${signal} received again; exiting now`)
    process.exit(signalExitCode(signal))
  }
}
