// The process driver: any server, any language, as a black box. It runs a command with the
// contract's environment (TSGI_SCENARIO, TSGI_SCENARIO_SETUP, TSGI_TRACE, PORT), waits for a
// TCP connect, sends HTTP and signals, and reads the trace file the scenario app appends to.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readTraceFile } from '../apps/trace.ts'
import { type Wire, waitForListening } from '../runner/http.ts'
import { http1, type TlsFiles, type Transport, transportEnv } from '../runner/transport.ts'
import { wireFor } from '../runner/wire.ts'
import type { Scenario } from '../scenarios/types.ts'
import { HOST, freePort, holdPort } from './ports.ts'
import { capabilityMeaning, type Capability, type Driver, type Exit, type Outcome, type Session } from './types.ts'

export interface ProcessServer {
  name: string
  /** The program and its arguments; `{port}` is replaced by the port the runner picked. */
  command: string[]
  cwd?: string
  env?: Record<string, string>
  /** What this server (with its scenario app) can do; the rest is skipped. */
  can: Capability[]
  /** Why it cannot do the rest, where a better sentence than the default exists. */
  because?: Partial<Record<Capability, string>>
  /** How long a SIGTERM may take before the process counts as hung; default 10 s. */
  stopWithinMs?: number
  /**
   * How long to wait after the first accepted connection before the server counts as booted,
   * for a server that listens before it can handle signals (the scenario is about its
   * shutdown, not about that window).
   */
  settleMs?: number
  concurrency?: number
  /**
   * Present when it can be run over HTTP/2: the arguments that give it the runner's certificate
   * under TLS (every server is also given the transport's variables, transportEnv()).
   */
  http2?: { tlsArgs?(tls: TlsFiles): string[] }
}

/** True of every process, whatever the server. */
const processLimits: Partial<Record<Capability, string>> = {
  'error-objects': 'a server process shows only its output and exit code, not error objects',
  'close-api': 'a process is stopped by a signal; there is no close() to call',
  lifecycle: 'a process does not expose its lifecycle phase or diagnostics channel',
  manager: 'a process has no LifespanManager to ask',
}

export function processDriver(server: ProcessServer, transport: Transport = http1): Driver {
  const can = new Set(server.can)
  return {
    name: server.name,
    concurrency: server.concurrency ?? 2,
    transport,
    unsupported(_scenario, requirements) {
      const missing = requirements.filter((r) => !can.has(r))
      if (missing.length === 0) return null
      return missing.map((r) => server.because?.[r] ?? processLimits[r] ?? `${server.name} cannot ${capabilityMeaning[r]}`).join('; ')
    },
    open: (scenario) => ProcessSession.open(server, scenario, transport),
  }
}

export class ProcessSession implements Session {
  readonly #output: string[] = []
  #child: ChildProcess | null = null
  #exit: Exit | null = null
  #exited: Promise<Exit> = new Promise(() => {})
  readonly #traffic: Wire

  private constructor(
    readonly server: ProcessServer,
    readonly scenario: Scenario,
    readonly port: number,
    readonly dir: string,
    readonly release: () => Promise<void>,
    readonly transport: Transport,
  ) {
    this.#traffic = wireFor(transport, HOST, port)
  }

  static async open(server: ProcessServer, scenario: Scenario, transport: Transport = http1): Promise<ProcessSession> {
    const taken = scenario.setup.server?.portTaken === true ? await holdPort() : null
    const free = taken === null ? await freePort() : null
    const port = taken?.port ?? free!.port
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'))
    const release = async (): Promise<void> => {
      await taken?.release()
      free?.release()
    }
    return new ProcessSession(server, scenario, port, dir, release, transport)
  }

  get traceFile(): string {
    return join(this.dir, 'trace.jsonl')
  }

  #spawn(): void {
    const setup = this.scenario.setup
    const { NODE_V8_COVERAGE, ...inherited } = process.env
    const env: NodeJS.ProcessEnv = {
      // Coverage of ~200 short-lived servers would be hundreds of megabytes for c8 to merge;
      // the in-process runs cover the same code. TSGI_CONFORMANCE_CHILD_COVERAGE=1 keeps it.
      ...(process.env.TSGI_CONFORMANCE_CHILD_COVERAGE === '1' && NODE_V8_COVERAGE !== undefined ? { NODE_V8_COVERAGE } : {}),
      ...inherited,
      ...this.server.env,
      ...transportEnv(this.transport),
      PORT: String(this.port),
      TSGI_SCENARIO: this.scenario.id,
      TSGI_SCENARIO_SETUP: JSON.stringify(setup),
      TSGI_TRACE: this.traceFile,
      PYTHONUNBUFFERED: '1',
    }
    // Server-level time limits, for command lines and configs that can read them.
    if (setup.server?.startupTimeoutMs !== undefined) env.TSGI_SERVER_STARTUP_TIMEOUT_MS = String(setup.server.startupTimeoutMs)
    if (setup.server?.shutdownTimeoutMs !== undefined) env.TSGI_SERVER_SHUTDOWN_TIMEOUT_MS = String(setup.server.shutdownTimeoutMs)
    if (setup.server?.drainTimeoutMs !== undefined) env.TSGI_SERVER_DRAIN_TIMEOUT_MS = String(setup.server.drainTimeoutMs)
    if (setup.server?.shutdownDelayMs !== undefined) env.TSGI_SERVER_SHUTDOWN_DELAY_MS = String(setup.server.shutdownDelayMs)
    const tlsArgs = this.transport.name === 'h2' ? (this.server.http2?.tlsArgs?.(this.transport.tls) ?? []) : []
    const [program, ...args] = [...this.server.command, ...tlsArgs].map((part) => part.replaceAll('{port}', String(this.port)))
    const child = spawn(program!, args, { cwd: this.server.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#output.push(chunk))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#output.push(chunk))
    this.#exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.#output.push(`could not start ${program}: ${error.message}\n`)
        this.#exit = { code: null, signal: null }
        resolve(this.#exit)
      })
      child.on('exit', (code, signal) => {
        this.#exit = { code, signal }
        resolve(this.#exit)
      })
    })
  }

  get log(): string {
    return this.#output.join('')
  }

  #failed(what: string): Outcome {
    const exit = this.#exit
    const how = exit === null ? 'still running' : `exit code ${String(exit.code)}${exit.signal === null ? '' : `, signal ${exit.signal}`}`
    return { ok: false, message: `${what} (${how})\n${this.log}` }
  }

  async boot(withinMs: number): Promise<Outcome> {
    if (this.#child === null) this.#spawn()
    if (this.scenario.setup.server?.portTaken === true) {
      // Something (the runner) already accepts on the port, so a connect proves nothing: a
      // server that cannot bind must exit instead.
      const exit = await this.waitExit(withinMs)
      return exit === null ? { ok: true } : this.#failed('the server exited at boot')
    }
    const ready = await waitForListening(HOST, this.port, withinMs, () => this.#exit !== null)
    if (ready && this.server.settleMs !== undefined) await this.waitExit(this.server.settleMs)
    // Something accepted; if our server already exited, it was not ours.
    if (ready && this.#exit === null) return { ok: true }
    return this.#failed(
      this.#exit === null ? `nothing accepted connections within ${withinMs} ms` : 'the server exited before it accepted a connection',
    )
  }

  async stop(): Promise<Outcome> {
    if (this.#child === null) return { ok: true }
    if (this.#exit === null) this.signal('SIGTERM')
    const within = this.server.stopWithinMs ?? 10_000
    const exit = await this.waitExit(within)
    if (exit === null) return this.#failed(`the server did not exit within ${within} ms of SIGTERM`)
    return exit.code === 0 ? { ok: true } : this.#failed('the server stopped with a failure')
  }

  request: Session['request'] = (spec, note) => this.#traffic.request(spec, note)
  idleConnection: NonNullable<Session['idleConnection']> = (note) => this.#traffic.idleConnection(note)
  connect: NonNullable<Session['connect']> = () => this.#traffic.connect()
  origin: NonNullable<Session['origin']> = () => this.#traffic.origin

  signal(signal: 'SIGTERM' | 'SIGINT'): void {
    const pid = this.#child?.pid
    if (pid !== undefined && this.#exit === null) {
      try {
        process.kill(pid, signal)
      } catch {
        // it exited in between
      }
    }
  }

  async waitExit(withinMs: number): Promise<Exit | null> {
    if (this.#exit !== null) return this.#exit
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), withinMs)))
    const exit = await Promise.race([this.#exited, late])
    clearTimeout(timer)
    return exit
  }

  trace(): ReturnType<Session['trace']> {
    return readTraceFile(this.traceFile)
  }

  async finish(): ReturnType<Session['finish']> {
    await this.#traffic.close()
    if (this.#child !== null && this.#exit === null) {
      this.#child.kill('SIGKILL')
      await this.waitExit(5_000)
    }
    await this.release()
    const trace = this.trace()
    rmSync(this.dir, { recursive: true, force: true })
    return { trace, log: this.log }
  }
}
