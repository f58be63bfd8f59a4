// The `tsgi` driver: tsgi itself, in process wherever the scenario allows, so errors, phases
// and the lifecycle channel can be inspected directly.
//   P, C  a LifespanManager drives the tree; requests call the app directly
//   S     serve() on a real socket, tracing the `tsgi:lifecycle` channel
//   H     toNodeHandler() on node:http, the lifespan driven by a LifespanManager; over HTTP/2,
//         serve() with TLS and http2 (or h2c), since that is where tsgi speaks HTTP/2
// X scenarios, and any other that needs a process (signals, exit codes), run under
// `tsgi-process` instead, so `--server tsgi` covers every level.

import { http1, type Transport } from '../runner/transport.ts'
import type { Scenario } from '../scenarios/types.ts'
import { Turnstile } from './in-process.ts'
import { processDriver } from './process.ts'
import { servers } from './servers.ts'
import { bridgeSession } from './tsgi-bridge.ts'
import { managerSession } from './tsgi-manager.ts'
import { serveSession } from './tsgi-serve.ts'
import { capabilityMeaning, type Capability, type Driver, type Session } from './types.ts'

type Harness = 'manager' | 'serve' | 'bridge' | 'serve-h2'

const harnessCan: Record<Harness, ReadonlySet<Capability>> = {
  manager: new Set(['http', 'compose', 'lifespan-protocol', 'router-timeouts', 'server-timeouts', 'error-objects', 'manager']),
  serve: new Set([
    'http',
    'sockets',
    'compose',
    'lifespan-protocol',
    'router-timeouts',
    'hooks',
    'lifespan-fns',
    'server-timeouts',
    'log-details',
    'bind',
    'error-objects',
    'close-api',
    'lifecycle',
    'websocket',
  ]),
  'serve-h2': new Set([
    'http',
    'sockets',
    'compose',
    'lifespan-protocol',
    'router-timeouts',
    'hooks',
    'lifespan-fns',
    'server-timeouts',
    'body-limit',
    'log-details',
    'bind',
    'error-objects',
    'close-api',
    'lifecycle',
  ]),
  bridge: new Set([
    'http',
    'sockets',
    'compose',
    'lifespan-protocol',
    'router-timeouts',
    'server-timeouts',
    'body-limit',
    'error-objects',
    'manager',
  ]),
}

/** Only a process can be signalled or exit. */
const processOnly: ReadonlySet<Capability> = new Set(['signals', 'exit-code'])

function harnessOf(scenario: Scenario, transport: Transport): Harness {
  if (transport.name !== 'h1') return 'serve-h2'
  if (scenario.level === 'S' || scenario.level === 'W') return 'serve'
  if (scenario.level === 'H') return 'bridge'
  return 'manager'
}

export function tsgiDriver(transport: Transport = http1): Driver {
  const asProcess = processDriver(servers['tsgi-process'](), transport)
  const turnstile = new Turnstile()
  // X is about the process itself; elsewhere only signals and exit codes need one.
  const needsProcess = (requirements: Capability[], scenario: Scenario): boolean =>
    scenario.level === 'X' || requirements.some((r) => processOnly.has(r))
  return {
    name: 'tsgi',
    concurrency: 2,
    transport,
    unsupported(scenario, requirements) {
      if (needsProcess(requirements, scenario)) return asProcess.unsupported(scenario, requirements)
      const harness = harnessOf(scenario, transport)
      const missing = requirements.filter((r) => !harnessCan[harness].has(r))
      if (missing.length === 0) return null
      return `in process (${harness}), tsgi cannot ${missing.map((r) => capabilityMeaning[r]).join('; ')}`
    },
    async open(scenario, requirements): Promise<Session> {
      if (needsProcess(requirements, scenario)) return asProcess.open(scenario, requirements)
      return turnstile.session(() => {
        const harness = harnessOf(scenario, transport)
        if (harness === 'manager') return managerSession(scenario)
        if (harness === 'serve-h2') return serveSession(scenario, transport)
        return harness === 'serve' ? serveSession(scenario) : bridgeSession(scenario)
      })
    },
  }
}
