// agent({ transport: 'stdio' }): one MCP server on stdin/stdout, with the same composed
// lifecycle serve() runs (lifespan setups, onStartup hooks, then "listen", which here means
// connecting stdio; shutdown: the transport closed, onShutdown hooks, teardowns reversed) and
// the same trace on tsgi:lifecycle. It ends when stdin closes or on SIGINT/SIGTERM. stdout
// carries protocol frames only: logs go to stderr, and so does console.log while it runs.

import { Console } from 'node:console'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { Lifecycle, type Phase } from './lifecycle.ts'
import { functionName, setUpLifespanFn, type RunningLifespanFn } from './lifespan-fn.ts'
import type { McpServerFactory, McpServerLike } from './mcp-sessions.ts'
import { LifespanShutdownError, LifespanStartupError, originalErrors } from './protocol/errors.ts'
import type { LifespanContext, LifespanFn, LifespanHook, Logger } from './protocol/types.ts'
import { onSignals, signalExitCode, type SignalHandlers } from './signals.ts'
import { StepRunner, type Step } from './step.ts'

export interface StdioConfig {
  server: McpServerFactory
  onStartup: LifespanHook[]
  onShutdown: LifespanHook[]
  lifespan: LifespanFn[]
  startupTimeoutMs: number
  shutdownTimeoutMs: number
  signals: NodeJS.Signals[]
  logger: Logger | null
  logDetails: boolean
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
}

/** The stdio transport's face: what a Server has, minus the URL. */
export interface StdioAgent extends AsyncDisposable {
  readonly phase: Phase
  readonly state: Record<string, unknown>
  /** Graceful shutdown; idempotent. Rejects with LifespanShutdownError. */
  close(): Promise<void>
  /** Resolves when stopped, however it stopped; never rejects. */
  readonly closed: Promise<void>
}

/** Logs for a process whose stdout is a protocol channel. */
export const stderrLogger: Logger = new Console({ stdout: process.stderr, stderr: process.stderr })

export async function serveStdio(config: StdioConfig): Promise<StdioAgent> {
  const agent = new StdioRun(config)
  await agent.start()
  return agent
}

type Failure = { step: string; error: unknown }

class StdioRun implements StdioAgent {
  readonly #config: StdioConfig
  readonly #logger: Logger
  readonly #lifecycle = new Lifecycle()
  readonly #steps: StepRunner
  readonly state: Record<string, unknown> = {}
  readonly #teardowns: Array<{ name: string; running: RunningLifespanFn }> = []
  readonly #signals: SignalHandlers | null
  readonly #restoreConsole: () => void
  #server: McpServerLike | null = null
  #reachedHooks = false
  #signal: NodeJS.Signals | null = null
  #closing: Promise<void> | null = null
  #markClosed!: () => void
  readonly closed = new Promise<void>((resolve) => (this.#markClosed = resolve))

  constructor(config: StdioConfig) {
    this.#config = config
    this.#logger = config.logger ?? stderrLogger
    this.#steps = new StepRunner(this.#lifecycle, this.#logger, config.logDetails)
    this.#restoreConsole = config.stdout === process.stdout ? consoleToStderr() : () => {}
    this.#signals = config.signals.length === 0 ? null : onSignals(config.signals, (s) => this.#onFirstSignal(s), (s) => this.#onSecondSignal(s))
  }

  get phase(): Phase {
    return this.#lifecycle.phase
  }

  async start(): Promise<void> {
    const steps = this.#startupSteps()
    for (const [i, step] of steps.entries()) {
      if (this.#signal !== null) return this.#abandon(steps.slice(i), null)
      if (step.kind === 'onStartup' || step.kind === 'listen') this.#reachedHooks = true
      const error = await this.#steps.run(step)
      if (error !== undefined) return this.#abandon(steps.slice(i + 1), { step: step.name, error })
    }
    if (this.#signal !== null) return this.#abandon([], null)
    this.#lifecycle.apply('started')
    // The client closing stdin is the normal end of a stdio server's life.
    this.#config.stdin.once('end', () => void this.close().then(() => this.#exitIfOwned(false), () => this.#exitIfOwned(true)))
    this.#logger.info('tsgi: MCP server ready on stdio')
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #context(signal: AbortSignal): LifespanContext {
    return { state: this.state, signal, logger: this.#logger }
  }

  #hook(kind: 'onStartup' | 'onShutdown', index: number, hook: LifespanHook): Step {
    const shutdown = kind === 'onShutdown'
    return {
      kind,
      name: `${kind}[${index}] ${functionName(hook)}`,
      phase: shutdown ? 'shutdown' : 'startup',
      timeoutMs: shutdown ? this.#config.shutdownTimeoutMs : this.#config.startupTimeoutMs,
      run: (signal) => hook(this.#context(signal)),
    }
  }

  #startupSteps(): Step[] {
    const { lifespan, onStartup, startupTimeoutMs } = this.#config
    return [
      ...lifespan.map((fn, i): Step => {
        const name = `lifespan[${i}] ${functionName(fn)}`
        const run = async (): Promise<void> => {
          const running = await setUpLifespanFn(fn, { name, state: this.state, logger: this.#logger, startupTimeoutMs })
          this.#teardowns.push({ name, running })
        }
        return { kind: 'lifespan', name, phase: 'startup', timeoutMs: Infinity, run }
      }),
      ...onStartup.map((hook, i) => this.#hook('onStartup', i, hook)),
      { kind: 'listen', name: 'stdio', phase: 'startup', timeoutMs: startupTimeoutMs, run: () => this.#connect() },
    ]
  }

  async #connect(): Promise<void> {
    const server = this.#config.server({ state: this.state })
    await server.connect(new StdioServerTransport(this.#config.stdin as never, this.#config.stdout as never))
    this.#server = server
  }

  /** Hooks only once their phase was reached, then teardowns in reverse; every step runs. */
  async #runShutdown(): Promise<Failure[]> {
    const failures: Failure[] = []
    const steps: Array<Step & { skip?: boolean }> = [
      ...this.#config.onShutdown.map((hook, i) => ({ ...this.#hook('onShutdown', i, hook), skip: !this.#reachedHooks })),
      ...[...this.#teardowns].reverse().map(({ name, running }): Step => ({
        kind: 'teardown',
        name,
        phase: 'shutdown',
        timeoutMs: Infinity,
        run: () => running.teardown(this.#config.shutdownTimeoutMs),
      })),
    ]
    for (const step of steps) {
      if (step.skip === true) {
        this.#steps.skip(step.kind, step.name)
        continue
      }
      const error = await this.#steps.run(step)
      if (error !== undefined) failures.push({ step: step.name, error })
    }
    return failures
  }

  async #close(): Promise<void> {
    if (this.#lifecycle.phase !== 'running') return this.closed
    this.#lifecycle.apply('close')
    // The stdio "drain": closing the server aborts its in-flight requests and ends the transport.
    const server = this.#server
    const drain: Step = { kind: 'drain', name: 'stdio', phase: 'shutdown', timeoutMs: this.#config.shutdownTimeoutMs, run: () => server?.close() }
    const drainError = await this.#steps.run(drain)
    this.#lifecycle.apply('drained')
    const failures = [...(drainError === undefined ? [] : [{ step: 'stdio', error: drainError }]), ...(await this.#runShutdown())]
    this.#lifecycle.apply('shutdown-done')
    this.#finish(failures.length > 0)
    if (failures.length > 0) {
      throw new LifespanShutdownError(`shutdown failed at ${failures.map((f) => f.step).join(', ')}`, {
        cause: originalErrors(failures[0]!.error).cause,
        errors: failures.flatMap((f) => originalErrors(f.error).errors),
      })
    }
  }

  async #abandon(rest: Step[], failure: Failure | null): Promise<void> {
    for (const step of rest) this.#steps.skip(step.kind, step.name)
    this.#lifecycle.apply(failure === null ? 'interrupted' : 'startup-failed')
    const cleanup = await this.#runShutdown()
    this.#lifecycle.apply(failure === null ? 'shutdown-done' : 'rollback-done')
    this.#finish(failure !== null || cleanup.length > 0)
    const errors = [failure, ...cleanup].flatMap((f) => (f === null ? [] : originalErrors(f.error).errors))
    if (failure === null) throw new LifespanStartupError(`startup was interrupted by ${this.#signal}; stdio was never connected`, { errors })
    throw new LifespanStartupError(`startup failed at ${failure.step}; stdio was never connected`, { cause: originalErrors(failure.error).cause, errors })
  }

  /** Stopped for good; a signalled process exits, so a forgotten timer cannot keep it alive. */
  #finish(failed: boolean): void {
    this.#signals?.uninstall()
    this.#restoreConsole()
    this.#markClosed()
    if (this.#signal !== null) process.exit(failed ? 1 : 0)
  }

  #exitIfOwned(failed: boolean): void {
    if (this.#signals !== null) process.exit(failed ? 1 : 0)
  }

  #onFirstSignal(signal: NodeJS.Signals): void {
    this.#signal = signal
    this.#logger.info(`tsgi: ${signal} received; shutting down (send it again to exit at once)`)
    if (this.#lifecycle.phase === 'running') this.close().catch(() => undefined)
  }

  #onSecondSignal(signal: NodeJS.Signals): void {
    process.exit(signalExitCode(signal))
  }
}

/** Sends console.log/info/debug to stderr until the returned function undoes it. */
function consoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug }
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args)
  return () => Object.assign(console, saved)
}
