// The embedding drivers `tsgi-express`, `tsgi-fastify` and `tsgi-hono`: the scenario app
// mounted in a real host, its lifespan driven through the adapter. P and C run through the
// adapter's lifecycle; S where EmbedOptions has the option; H over real sockets through the
// host. What an embedding cannot do is skipped with its reason.

import type { Scenario } from '../scenarios/types.ts'
import { buildServeOptions, buildTopApp } from '../apps/build.ts'
import { memoryTrace } from '../apps/trace.ts'
import { Traffic } from '../runner/http.ts'
import { embedHost, type EmbedHostName } from './embed-hosts.ts'
import { Turnstile, captureLogger, outcomeOf } from './in-process.ts'
import { HOST } from './ports.ts'
import { traceLifecycle } from './tsgi-serve.ts'
import type { Capability, Driver, Session } from './types.ts'

/** Why an embedding lacks a capability: the host owns the port, the process and its signals. */
const lacks: Partial<Record<Capability, string>> = {
  bind: "the host binds the port, not tsgi: a taken port is the host's error",
  signals: 'the host owns the process and its signals; an embedding installs no signal handlers',
  'exit-code': 'the host owns the process and its exit code',
  manager: "an embedding shows the lifespan state but not whether the app supports lifespan (LifespanManager's `supported`)",
}

export function embedDriver(host: EmbedHostName): Driver {
  const turnstile = new Turnstile()
  const name = `tsgi-${host}`
  return {
    name,
    concurrency: 1,
    unsupported(scenario, requirements) {
      if (scenario.level === 'X') return "X scenarios run a server as its own process; an embedding runs inside the host's process"
      // P is one app under a LifespanManager, whose time limit rejects with a bare LifespanTimeoutError.
      if (scenario.level === 'P' && requirements.includes('server-timeouts') && requirements.includes('error-objects')) {
        return "an embedding reports a timed-out step as serve() does (a LifespanStartupError or LifespanShutdownError whose cause is the LifespanTimeoutError), not as the manager's bare LifespanTimeoutError"
      }
      const missing = requirements.flatMap((r) => (lacks[r] === undefined ? [] : [lacks[r]]))
      return missing.length === 0 ? null : missing.join('; ')
    },
    open: (scenario) => turnstile.session(() => embedSession(host, scenario)),
  }
}

async function embedSession(hostName: EmbedHostName, scenario: Scenario): Promise<Session> {
  const { record, events } = memoryTrace()
  const { logger, lines } = captureLogger()
  const lifecycle = traceLifecycle(record)
  const spec = scenario.setup.server
  const app = buildTopApp(scenario.setup.app, record)
  const host = await embedHost(hostName, app, {
    ...buildServeOptions(spec, record),
    ...(spec?.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
    logger,
  })
  let traffic: Traffic | null = null
  const trafficOf = (): Traffic => {
    if (traffic === null) throw new Error('the host is not listening')
    return traffic
  }
  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => (stopping ??= host.stop())
  return {
    boot: () =>
      outcomeOf(async () => {
        traffic = new Traffic(HOST, await host.boot())
      }),
    stop: () => outcomeOf(stop),
    stopTwice: () => outcomeOf(() => Promise.all([host.mounted.close(), stop()])),
    request: (request, note) => trafficOf().request(request, note),
    idleConnection: (note) => trafficOf().idleConnection(note),
    connect: () => trafficOf().connect(),
    origin: () => trafficOf().origin,
    trace: () => events,
    async finish() {
      const observed = { trace: [...events], log: lines.join('\n'), phase: host.mounted.phase ?? lifecycle.lastPhase }
      lifecycle.stop()
      await (traffic as Traffic | null)?.close()
      await host.mounted.close().catch(() => undefined)
      await host.kill()
      return observed
    },
  }
}
