// Performs the composed lifecycle that lifecycle.ts tables, for any host: node:http (serve())
// or stdio (agent({ transport: 'stdio' })). The sequences are lists of steps (data); step.ts
// bounds, traces and logs each one. Startup: the app, lifespan setups, onStartup hooks, then
// the host opens (listen). Shutdown: an optional delay while load balancers notice (readiness
// fails, requests are still served), the host drains, onShutdown hooks, lifespan teardowns
// reversed, the app's shutdown. Every shutdown step runs even when an earlier one failed; the
// first error is primary and the rest ride along.

import { Lifecycle, type Phase } from './table.ts'
import { LifespanManager } from '../lifespan/manager.ts'
import { functionName, setUpLifespanFn, type RunningLifespanFn } from '../lifespan/lifespan-fn.ts'
import type { App, AppState } from '../protocol/types.ts'
import { type Failure, shutdownError, startupError } from './failures.ts'
import type { ClosePlan, Host, RunnerConfig } from './host.ts'
import { onSignals, signalExitCode, type SignalHandlers } from './signals.ts'
import { StepRunner, hookStep, type Step } from './step.ts'
import { TimingRecorder, type Timings } from '../lifespan/timings.ts'

export type { ClosePlan, Host, RunnerConfig } from './host.ts'

export class LifecycleRunner {
  readonly state = {} as AppState
  readonly closed: Promise<void>
  readonly #host: Host
  readonly #config: RunnerConfig
  readonly #lifecycle: Lifecycle
  readonly #steps: StepRunner
  readonly #timings: TimingRecorder
  readonly #app: LifespanManager | null
  readonly #draining = new AbortController()
  readonly #retiring = new AbortController()
  readonly #teardowns: Array<{ name: string; running: RunningLifespanFn }> = []
  readonly #signals: SignalHandlers | null
  #appStarted = false
  #reachedHooks = false
  #signal: NodeJS.Signals | null = null
  #closing: Promise<void> | null = null
  #markClosed!: () => void

  constructor(app: App | null, host: Host, config: RunnerConfig, since = performance.now()) {
    this.#host = host
    this.#config = config
    this.#lifecycle = new Lifecycle(since)
    this.#timings = new TimingRecorder(since, config.logTimings ? config.logger : null)
    this.#steps = new StepRunner(this.#lifecycle, config.logger, config.logDetails, this.#timings.frame)
    this.closed = new Promise<void>((resolve) => (this.#markClosed = resolve))
    this.#app =
      app === null
        ? null
        : new LifespanManager(app, {
            name: 'app',
            state: this.state,
            logger: config.logger,
            draining: this.#draining.signal,
            startupTimeoutMs: config.startupTimeoutMs,
            shutdownTimeoutMs: config.shutdownTimeoutMs,
            timing: this.#timings.frame,
          })
    this.#signals =
      config.signals.length === 0
        ? null
        : onSignals(
            config.signals,
            (s) => this.#onFirstSignal(s),
            (s) => this.#onSecondSignal(s),
          )
  }

  get phase(): Phase {
    return this.#lifecycle.phase
  }

  /** How long each part of the startup (and of the shutdown, once one ran) took, as trees. */
  get timings(): Timings {
    return this.#timings.timings
  }

  /** Aborted when the drain begins: long-lived responses (SSE, long polls) should end then. */
  get draining(): AbortSignal {
    return this.#draining.signal
  }

  /**
   * Aborted when the shutdown begins (the delay, or the drain when there is none): from then on
   * every response says `Connection: close`, so clients reconnect to another replica.
   */
  get retiring(): AbortSignal {
    return this.#retiring.signal
  }

  /** Resolves once the host listens; rejects with LifespanStartupError when any step fails. */
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
    this.#timings.startupDone()
    this.#lifecycle.apply('started')
  }

  /**
   * Idempotent: later callers join the running shutdown, whatever plan they pass. Rejects with
   * LifespanShutdownError.
   */
  close(plan: ClosePlan = { delayMs: this.#config.shutdownDelayMs, stopAccepting: false }): Promise<void> {
    this.#closing ??= this.#close(plan)
    return this.#closing
  }

  #startupSteps(): Step[] {
    const { lifespan, onStartup, startupTimeoutMs, logger } = this.#config
    const app = this.#app
    const steps: Step[] = []
    if (app !== null) {
      const startApp = async (): Promise<void> => {
        await app.startup()
        this.#appStarted = true
      }
      // The manager bounds the app itself, so its timeout error names the step 'app'.
      steps.push({ kind: 'app', name: 'app', phase: 'startup', timeoutMs: Infinity, run: startApp, timesItself: true })
    }
    lifespan.forEach((fn, i) => {
      const name = `lifespan[${i}] ${functionName(fn)}`
      const run = async (): Promise<void> => {
        this.#teardowns.push({ name, running: await setUpLifespanFn(fn, { name, state: this.state, logger, startupTimeoutMs }) })
      }
      steps.push({ kind: 'lifespan', name, phase: 'startup', timeoutMs: Infinity, run })
    })
    for (const [i, hook] of onStartup.entries()) steps.push(hookStep('onStartup', i, hook, startupTimeoutMs, this.state, logger))
    steps.push({
      kind: 'listen',
      name: this.#host.listenName,
      phase: 'startup',
      timeoutMs: startupTimeoutMs,
      run: (_, timing) => this.#host.listen(this.state, timing),
    })
    return steps
  }

  /** The cleanup half: hooks (only once the hooks phase was reached), teardowns reversed, the app. */
  #shutdownSteps(): Array<Step & { skip: boolean }> {
    const { onShutdown, shutdownTimeoutMs } = this.#config
    const app = this.#app
    const steps: Array<Step & { skip: boolean }> = onShutdown.map((hook, i) => ({
      ...hookStep('onShutdown', i, hook, shutdownTimeoutMs, this.state, this.#config.logger),
      skip: !this.#reachedHooks,
    }))
    for (const { name, running } of [...this.#teardowns].reverse()) {
      steps.push({
        kind: 'teardown',
        name,
        phase: 'shutdown',
        timeoutMs: Infinity,
        run: () => running.teardown(shutdownTimeoutMs),
        skip: false,
      })
    }
    if (app !== null) {
      steps.push({
        kind: 'app-shutdown',
        name: 'app',
        phase: 'shutdown',
        timeoutMs: Infinity,
        run: () => app.shutdown(),
        skip: !this.#appStarted,
        timesItself: true,
      })
    }
    return steps
  }

  /** Readiness fails (phase 'delaying') and answers close their sockets while balancers catch up. */
  async #delay({ delayMs, stopAccepting }: ClosePlan): Promise<void> {
    this.#lifecycle.apply('close-delayed')
    this.#retiring.abort()
    if (stopAccepting) this.#host.stopAccepting?.()
    this.#lifecycle.step('delay', 'delay', 'start')
    this.#config.logger.info(`tsgi: still serving for ${delayMs} ms (readiness failing) before the drain`)
    await this.#timings.frame.time('delay', () => new Promise((resolve) => setTimeout(resolve, delayMs)))
    this.#lifecycle.step('delay', 'delay', 'ok')
    this.#lifecycle.apply('delayed')
  }

  async #drain(): Promise<Failure[]> {
    this.#retiring.abort()
    this.#draining.abort()
    this.#lifecycle.step('drain', 'drain', 'start')
    try {
      const outcome = await this.#timings.frame.child('drain', (timing) => this.#host.drain(this.#config.drainTimeoutMs, timing))
      this.#lifecycle.step('drain', 'drain', outcome)
      if (outcome === 'timeout') {
        this.#config.logger.warn(`tsgi: in-flight work did not finish within ${this.#config.drainTimeoutMs} ms; it was cut`)
      }
      return []
    } catch (error) {
      this.#lifecycle.step('drain', 'drain', 'error')
      this.#config.logger.error('tsgi: shutdown step drain failed')
      return [{ step: 'drain', error }]
    }
  }

  /** Runs every step, even after a failure; returns the failures in order. */
  async #runShutdown(): Promise<Failure[]> {
    const failures: Failure[] = []
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

  async #abandonStartup(rest: Step[], failure: Failure | null): Promise<void> {
    for (const step of rest) this.#steps.skip(step.kind, step.name)
    this.#timings.startupDone()
    this.#timings.shutdownBegins()
    this.#lifecycle.apply(failure === null ? 'interrupted' : 'startup-failed')
    const drained = this.#host.listening ? await this.#drain() : []
    const cleanup = [...drained, ...(await this.#runShutdown())]
    this.#timings.shutdownDone()
    this.#lifecycle.apply(failure === null ? 'shutdown-done' : 'rollback-done')
    this.#finish(failure !== null || cleanup.length > 0)
    throw startupError(failure, cleanup, this.#signal)
  }

  async #close(plan: ClosePlan): Promise<void> {
    if (this.#lifecycle.phase !== 'running') return this.closed
    this.#timings.shutdownBegins()
    if (plan.delayMs > 0) await this.#delay(plan)
    else {
      this.#lifecycle.apply('close')
      // A retiring process without a grace period still closes its listener first: the host
      // tells a reload from a shutdown by that (its websockets get 1012, not 1001).
      if (plan.stopAccepting) this.#host.stopAccepting?.()
    }
    const drained = await this.#drain()
    this.#lifecycle.apply('drained')
    const failures = [...drained, ...(await this.#runShutdown())]
    this.#timings.shutdownDone()
    this.#lifecycle.apply('shutdown-done')
    this.#finish(failures.length > 0)
    if (failures.length > 0) throw shutdownError(failures)
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
