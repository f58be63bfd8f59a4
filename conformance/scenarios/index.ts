// Every scenario, in catalogue order. Ids are unique; the CLI and the matrix read this list.

import { compositionScenarios } from './c-composition.ts'
import { bridgeScenarios } from './h-bridge.ts'
import { protocolScenarios } from './p-protocol.ts'
import { serveScenarios } from './s-serve.ts'
import type { Scenario } from './types.ts'
import { processScenarios } from './x-process.ts'
import { rolloutScenarios } from './x-rollout.ts'
import { websocketScenarios } from './w-websocket.ts'

export type { Scenario } from './types.ts'

export const scenarios: Scenario[] = [
  ...protocolScenarios,
  ...compositionScenarios,
  ...serveScenarios,
  ...processScenarios,
  ...rolloutScenarios,
  ...bridgeScenarios,
  ...websocketScenarios,
]

const seen = new Set<string>()
for (const scenario of scenarios) {
  if (seen.has(scenario.id)) throw new Error(`two scenarios share the id '${scenario.id}'`)
  if (!scenario.id.startsWith(scenario.level)) throw new Error(`scenario '${scenario.id}' is filed under level ${scenario.level}`)
  seen.add(scenario.id)
}
