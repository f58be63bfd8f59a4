// The one runner: reads a scenario's actions, asks the driver's session to perform each, and
// checks what was observed. It knows verbs (boot, request, signal …), never scenario ids.

import { now, type TraceEvent } from '../apps/trace.ts'
import type { Driver, HttpResult, Outcome, Session } from '../drivers/types.ts'
import type { Action, HttpExpect, OutcomeExpect, Scenario, WebSocketExpect } from '../scenarios/types.ts'
import { checkHttp, checkOutcome, checkTrace } from './expect.ts'
import { notApplicable, overTransport } from './over-http2.ts'
import { requirementsOf } from './requirements.ts'
import { http1 } from './transport.ts'
import { checkWebSocket, websocketAction, websocketClientMissing, type WebSocketResult } from './websocket.ts'

/** `not-applicable`: the scenario has no meaning over the transport the runner speaks (over-http2.ts). */
export type Verdict = 'passed' | 'failed' | 'skipped' | 'not-applicable'

export interface ScenarioResult {
  id: string
  level: Scenario['level']
  title: string
  result: Verdict
  /** Why it failed or was skipped; empty when it passed. */
  why: string
  ms: number
  trace?: TraceEvent[]
  log?: string
}

export interface RunOptions {
  /** A scenario still running after this long fails, and its server is killed. */
  timeoutMs?: number
  /** Keep each scenario's trace and log in its result (for --json and debugging). */
  keepTrace?: boolean
}

type Pending = Promise<
  { kind: 'outcome'; value: Outcome } | { kind: 'http'; value: HttpResult } | { kind: 'websocket'; value: WebSocketResult }
>

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const OK: OutcomeExpect = { ok: true }

class Run {
  readonly failures: string[] = []
  readonly notes: TraceEvent[] = []
  readonly #pending = new Map<string, Pending>()
  #requests = 0
  #websockets = 0

  constructor(readonly session: Session) {}

  note = (event: string): void => {
    this.notes.push({ event, t: now() })
  }

  async perform(action: Action): Promise<void> {
    const session = this.session
    switch (action.do) {
      case 'boot': {
        this.note('@boot')
        const started = session.boot(action.withinMs ?? 10_000).then((outcome) => {
          this.note(outcome.ok ? '@ready' : '@boot.failed')
          return { kind: 'outcome' as const, value: outcome }
        })
        if (action.background !== undefined) this.#pending.set(action.background, started)
        else this.failures.push(...checkOutcome(action.expect ?? OK, (await started).value, 'boot'))
        return
      }
      case 'stop': {
        this.note('@stop')
        const began = performance.now()
        const stopped = session.stop().then((outcome) => {
          this.note('@stopped')
          const took = performance.now() - began
          if (action.withinMs !== undefined && took > action.withinMs)
            this.failures.push(`the stop took ${Math.round(took)} ms, expected at most ${action.withinMs}`)
          return { kind: 'outcome' as const, value: outcome }
        })
        if (action.background !== undefined) this.#pending.set(action.background, stopped)
        else this.failures.push(...checkOutcome(action.expect ?? OK, (await stopped).value, 'stop'))
        return
      }
      case 'stop-twice': {
        this.note('@stop')
        this.failures.push(...checkOutcome(action.expect ?? OK, await session.stopTwice!(), 'both stops'))
        this.note('@stopped')
        return
      }
      case 'request': {
        const label = action.background ?? `r${++this.#requests}`
        const spec = { method: action.method ?? 'GET', path: action.path, ...pick(action) }
        this.note(`@request.${label}`)
        const sent = session.request(spec, this.note).then((result) => {
          this.note(result.ok ? `@response.${label}` : `@request.${label}.failed`)
          return { kind: 'http' as const, value: result }
        })
        if (action.background !== undefined) this.#pending.set(label, sent)
        else this.failures.push(...checkHttp(action.expect, (await sent).value, `${action.method ?? 'GET'} ${action.path}`))
        return
      }
      case 'settle': {
        const pending = this.#pending.get(action.name)
        if (pending === undefined) throw new Error(`scenario error: nothing runs in the background as '${action.name}'`)
        const settled = await pending
        if (settled.kind === 'websocket')
          this.failures.push(...checkWebSocket(action.expect as WebSocketExpect, settled.value, action.name))
        else if (settled.kind === 'http')
          this.failures.push(...checkHttp(action.expect as HttpExpect | undefined, settled.value, action.name))
        else this.failures.push(...checkOutcome((action.expect as OutcomeExpect | undefined) ?? OK, settled.value, action.name))
        return
      }
      case 'websocket': {
        const label = action.background ?? `ws${++this.#websockets}`
        this.note(`@websocket.${label}`)
        const { opened, done } = await websocketAction(session.origin!(), action)
        const ended = done.then((result) => {
          this.note(`@websocket.${label}.${result.close === undefined ? 'ended' : `closed.${result.close.code}`}`)
          return { kind: 'websocket' as const, value: result }
        })
        if (action.background !== undefined) {
          this.#pending.set(label, ended)
          await opened
        } else this.failures.push(...checkWebSocket(action.expect, (await ended).value, `websocket ${action.path}`))
        return
      }
      case 'signal':
        this.note(`@signal.${action.signal}`)
        session.signal!(action.signal)
        return
      case 'exit': {
        const within = action.withinMs ?? 8_000
        const exit = await session.waitExit!(within)
        if (exit === null) {
          this.failures.push(`the process did not exit within ${within} ms`)
          return
        }
        this.note('@exit')
        const code = exit.code
        if (action.code === 'nonzero' && (code === 0 || code === null))
          this.failures.push(`exit code ${String(code)} (signal ${String(exit.signal)}), expected non-zero`)
        if (typeof action.code === 'number' && code !== action.code)
          this.failures.push(`exit code ${String(code)} (signal ${String(exit.signal)}), expected ${action.code}`)
        return
      }
      case 'wait':
        await sleep(action.ms)
        return
      case 'wait-for': {
        const deadline = performance.now() + (action.timeoutMs ?? 5_000)
        const seen = (): boolean =>
          session.trace().some((e) => e.event === action.event) || this.notes.some((e) => e.event === action.event)
        while (!seen()) {
          if (performance.now() > deadline) {
            this.failures.push(`'${action.event}' did not happen within ${action.timeoutMs ?? 5_000} ms`)
            return
          }
          await sleep(10)
        }
        return
      }
      case 'idle-connection':
        await session.idleConnection!(this.note)
        return
      case 'connect': {
        const got = await session.connect!()
        this.note(`@connect.${got}`)
        if (got !== action.expect) this.failures.push(`a new connection was ${got}, expected ${action.expect}`)
        return
      }
    }
  }
}

function pick(action: Extract<Action, { do: 'request' }>) {
  const { body, headers, abortAfterMs, readDelayMs } = action
  return Object.fromEntries(Object.entries({ body, headers, abortAfterMs, readDelayMs }).filter(([, v]) => v !== undefined))
}

function timeout(ms: number): { promise: Promise<'timeout'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined
  const promise = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))
  return { promise, cancel: () => clearTimeout(timer) }
}

export async function runScenario(catalogued: Scenario, driver: Driver, options: RunOptions = {}): Promise<ScenarioResult> {
  // A copy: in process the apps hold the setup's objects (a yielded `{ bag: {} }` is put in
  // state and mutated by requests), and the next driver must see the catalogue as written.
  const transport = driver.transport ?? http1
  const scenario = overTransport(structuredClone(catalogued), transport)
  let started = performance.now()
  const base = { id: scenario.id, level: scenario.level, title: scenario.title }
  const ms = (): number => Math.round(performance.now() - started)
  const inapplicable = notApplicable(scenario, transport)
  if (inapplicable !== null) return { ...base, result: 'not-applicable', why: inapplicable, ms: 0 }
  const requirements = requirementsOf(scenario)
  const reason =
    scenario.level === 'W'
      ? ((await websocketClientMissing()) ?? driver.unsupported(scenario, requirements))
      : driver.unsupported(scenario, requirements)
  if (reason !== null) return { ...base, result: 'skipped', why: reason, ms: 0 }

  let session: Session
  try {
    session = await driver.open(scenario, requirements)
  } catch (error) {
    return { ...base, result: 'failed', why: `the driver could not start: ${String(error)}`, ms: ms() }
  }
  // Time waiting for a turn (in-process sessions run one at a time) is not the scenario's.
  started = performance.now()
  const run = new Run(session)
  const limit = options.timeoutMs ?? 20_000
  const clock = timeout(limit)
  const actions = (async () => {
    for (const [index, action] of scenario.actions.entries()) {
      try {
        await run.perform(action)
      } catch (error) {
        run.failures.push(`action ${index + 1} (${action.do}) threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    return 'done' as const
  })()
  if ((await Promise.race([actions, clock.promise])) === 'timeout') run.failures.push(`the scenario did not finish within ${limit} ms`)
  clock.cancel()

  const observed = await session.finish()
  const trace = [...observed.trace, ...run.notes].sort((a, b) => a.t - b.t)
  run.failures.push(...checkTrace(scenario.expect, { ...observed, trace }))
  const result: ScenarioResult = {
    ...base,
    result: run.failures.length === 0 ? 'passed' : 'failed',
    why: run.failures.join('; '),
    ms: ms(),
  }
  if (options.keepTrace === true) Object.assign(result, { trace, log: observed.log })
  return result
}

/** Runs scenarios with the driver's concurrency; results come back in scenario order. */
export async function runSuite(
  scenarios: Scenario[],
  driver: Driver,
  options: RunOptions & { onResult?: (result: ScenarioResult) => void } = {},
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(scenarios.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < scenarios.length) {
      const index = next++
      results[index] = await runScenario(scenarios[index]!, driver, options)
      options.onResult?.(results[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, driver.concurrency) }, worker))
  return results
}
