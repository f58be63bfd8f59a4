// agent({ transport: 'stdio' }): one MCP server on stdin/stdout, run by the same
// LifecycleRunner as serve(), so lifespan setups, onStartup/onShutdown hooks, timeouts, signals
// and the tsgi:lifecycle trace are identical. Here "listen" connects stdio and "drain" closes
// the MCP server. It ends when stdin closes or on SIGINT/SIGTERM. stdout carries protocol frames
// only: logs go to stderr, and so does console.log while it runs.

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'

import { withDeadline } from '../lifespan/deadline.ts'
import type { Phase } from '../lifecycle/table.ts'
import { LifecycleRunner, type Host, type RunnerConfig } from '../lifecycle/runner.ts'
import type { McpServerFactory, McpServerLike } from '../mcp/sessions.ts'
import { LifespanTimeoutError } from '../protocol/errors.ts'
import type { AppState, Logger } from '../protocol/types.ts'

export interface StdioConfig extends RunnerConfig {
  server: McpServerFactory
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
}

/** The stdio transport's face: what a Server has, minus the URL. */
export interface StdioAgent extends AsyncDisposable {
  readonly phase: Phase
  readonly state: AppState
  /** Graceful shutdown; idempotent. Rejects with LifespanShutdownError. */
  close(): Promise<void>
  /** Resolves when stopped, however it stopped; never rejects. */
  readonly closed: Promise<void>
}

const ignore = (): void => {}

/** Logs for a process whose stdout is a protocol channel: everything to stderr, no debug chatter. */
export const stderrLogger: Logger = Object.freeze({
  debug: ignore,
  info: (...args: unknown[]) => console.error(...args),
  warn: (...args: unknown[]) => console.error(...args),
  error: (...args: unknown[]) => console.error(...args),
})

export async function serveStdio(config: StdioConfig): Promise<StdioAgent> {
  const restoreConsole = config.stdout === process.stdout ? consoleToStderr() : () => {}
  const host = new StdioHost(config)
  const runner = new LifecycleRunner(null, host, config)
  void runner.closed.then(restoreConsole)
  await runner.start()
  // The client closing stdin is the normal end of a stdio server's life; a process that owns
  // its signals exits then, as it would after one.
  config.stdin.once('end', () => {
    const exit = (code: number) => (config.signals.length > 0 ? process.exit(code) : undefined)
    runner.close().then(
      () => exit(0),
      () => exit(1),
    )
  })
  config.logger.info('tsgi: MCP server ready on stdio')
  return {
    get phase() {
      return runner.phase
    },
    state: runner.state,
    closed: runner.closed,
    close: () => runner.close(),
    [Symbol.asyncDispose]: () => runner.close(),
  }
}

class StdioHost implements Host {
  readonly listenName = 'stdio'
  readonly #config: StdioConfig
  #server: McpServerLike | null = null

  constructor(config: StdioConfig) {
    this.#config = config
  }

  get listening(): boolean {
    return this.#server !== null
  }

  async listen(state: AppState): Promise<void> {
    const server = this.#config.server({ state, sessionId: undefined })
    await server.connect(new StdioServerTransport(this.#config.stdin as never, this.#config.stdout as never))
    this.#server = server
  }

  /** Closing the server aborts its in-flight requests and ends the transport. */
  async drain(timeoutMs: number): Promise<'ok' | 'timeout'> {
    const server = this.#server
    if (server === null) return 'ok'
    try {
      await withDeadline(server.close(), timeoutMs, () => new LifespanTimeoutError('shutdown', 'drain', timeoutMs))
      return 'ok'
    } catch (error) {
      if (error instanceof LifespanTimeoutError && error.step === 'drain') return 'timeout'
      throw error
    }
  }
}

/** Sends console.log/info/debug to stderr until the returned function undoes it. */
function consoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug }
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args)
  return () => Object.assign(console, saved)
}
