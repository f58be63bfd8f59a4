// The `tsgi` driver: tsgi itself, in process wherever the scenario allows, so errors, phases
// and the lifecycle channel can be inspected directly.
//   P, C  a LifespanManager drives the tree; requests call the app directly
//   S     serve() on a real socket, tracing the `tsgi:lifecycle` channel
//   H     toNodeHandler() on node:http, the lifespan driven by a LifespanManager
// X scenarios, and any other that needs a process (signals, exit codes), run under
// `tsgi-process` instead, so `--server tsgi` covers every level.

import type { Scenario } from '../scenarios/types.ts'
import { Turnstile } from './in-process.ts'
import { processDriver } from './process.ts'
import { servers } from './servers.ts'
import { bridgeSession } from './tsgi-bridge.ts'
import { managerSession } from './tsgi-manager.ts'
import { serveSession } from './tsgi-serve.ts'
import { capabilityMeaning, type Capability, type Driver, type Session } from './types.ts'

type Harness = 'manager' | 'serve' | 'bridge'

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

function harnessOf(scenario: Scenario): Harness {
  if (scenario.level === 'S' || scenario.level === 'W') return 'serve'
  if (scenario.level === 'H') return 'bridge'
  return 'manager'
}

export function tsgiDriver(): Driver {
  const asProcess = processDriver(servers['tsgi-process']())
  const turnstile = new Turnstile()
  // X is about the process itself; elsewhere only signals and exit codes need one.
  const needsProcess = (requirements: Capability[], scenario: Scenario): boolean =>
    scenario.level === 'X' || requirements.some((r) => processOnly.has(r))
  return {
    name: 'tsgi',
    concurrency: 2,
    unsupported(scenario, requirements) {
      if (needsProcess(requirements, scenario)) return asProcess.unsupported(scenario, requirements)
      const harness = harnessOf(scenario)
      const missing = requirements.filter((r) => !harnessCan[harness].has(r))
      if (missing.length === 0) return null
      return `in process (${harness}), tsgi cannot ${missing.map((r) => capabilityMeaning[r]).join('; ')}`
    },
    async open(scenario, requirements): Promise<Session> {
      if (needsProcess(requirements, scenario)) return asProcess.open(scenario, requirements)
      return turnstile.session(() => {
        const harness = harnessOf(scenario)
        if (harness === 'manager') return managerSession(scenario)
        return harness === 'serve' ? serveSession(scenario) : bridgeSession(scenario)
      })
    },
  }
}
