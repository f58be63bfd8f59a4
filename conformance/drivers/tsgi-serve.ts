// The S harness: serve() in this process on a real socket (signals off: the runner is the
// process), its logger captured and its `tsgi:lifecycle` channel turned into trace events:
// `lifecycle.phase.<phase>` for phase changes, `lifecycle.<step>.<outcome>` (detail: the
// step's name) for steps.

import diagnostics from 'node:diagnostics_channel'
import { serve, type Server } from '../../src/index.ts'
import { buildServeOptions, buildTopApp } from '../apps/build.ts'
import { memoryTrace, type Recorder } from '../apps/trace.ts'
import type { Wire } from '../runner/http.ts'
import { http1, type Transport } from '../runner/transport.ts'
import { wireFor } from '../runner/wire.ts'
import type { Scenario } from '../scenarios/types.ts'
import { captureLogger, outcomeOf } from './in-process.ts'
import { HOST, holdPort } from './ports.ts'
import type { Outcome, Session } from './types.ts'

const LIFECYCLE_KEYS = ['phase', 'step', 'name', 'outcome', 'ms'] as const

/** Records the `tsgi:lifecycle` channel as trace events until `stop()`; `lastPhase` is the phase last published. */
export function traceLifecycle(record: Recorder): { readonly lastPhase: string | undefined; stop(): void } {
  let lastPhase: string | undefined
  const onEvent = (message: unknown): void => {
    const event = message as Record<string, unknown>
    if (LIFECYCLE_KEYS.some((key) => !(key in event))) record('lifecycle.malformed', JSON.stringify(event))
    lastPhase = String(event.phase)
    if (event.step === 'phase') record(`lifecycle.phase.${String(event.name)}`)
    else record(`lifecycle.${String(event.step)}.${String(event.outcome)}`, String(event.name))
  }
  diagnostics.subscribe('tsgi:lifecycle', onEvent)
  return {
    get lastPhase() {
      return lastPhase
    },
    stop: () => diagnostics.unsubscribe('tsgi:lifecycle', onEvent),
  }
}

/** serve()'s options for the transport: TLS with HTTP/2 (ALPN h2 and http/1.1), or h2c. */
export function transportServeOptions(transport: Transport): { tls?: { keyFile: string; certFile: string }; http2?: true } {
  if (transport.name === 'h1') return {}
  if (transport.name === 'h2c') return { http2: true }
  return { tls: { keyFile: transport.tls.keyFile, certFile: transport.tls.certFile }, http2: true }
}

export async function serveSession(scenario: Scenario, transport: Transport = http1): Promise<Session> {
  const { record, events } = memoryTrace()
  const { logger, lines } = captureLogger()
  const lifecycle = traceLifecycle(record)

  const spec = scenario.setup.server
  const held = spec?.portTaken === true ? await holdPort() : null
  const app = buildTopApp(scenario.setup.app, record)
  let server: Server | null = null
  let traffic: Wire | null = null
  const trafficOf = (): Wire => {
    if (traffic === null) throw new Error('the server is not listening')
    return traffic
  }

  return {
    async boot(): Promise<Outcome> {
      return outcomeOf(async () => {
        server = await serve(app, {
          ...buildServeOptions(spec, record),
          ...(spec?.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
          port: held?.port ?? 0,
          host: HOST,
          signals: false,
          logger,
          ...transportServeOptions(transport),
        })
        traffic = wireFor(transport, HOST, Number(new URL(server.url).port))
      })
    },
    stop: () => outcomeOf(() => server?.close() ?? Promise.resolve()),
    stopTwice: () => outcomeOf(() => Promise.all([server?.close(), server?.close()])),
    request: (request, note) => trafficOf().request(request, note),
    idleConnection: (note) => trafficOf().idleConnection(note),
    connect: () => trafficOf().connect(),
    origin: () => trafficOf().origin,
    trace: () => events,
    async finish() {
      const observed = { trace: [...events], log: lines.join('\n'), phase: (server as Server | null)?.phase ?? lifecycle.lastPhase }
      lifecycle.stop()
      await (traffic as Wire | null)?.close()
      // Whatever the scenario left running is stopped, outside the observed trace.
      await (server as Server | null)?.close().catch(() => undefined)
      await held?.release()
      return observed
    },
  }
}
