// A scenario's requirements, read off its data: what it sets up, what it does, what it checks.
// Nothing here knows any scenario by id.

import type { Capability } from '../drivers/types.ts'
import type { AppSpec, LeafSpec, OutcomeExpect, Scenario } from '../scenarios/types.ts'

/** Steps only an app that speaks the messages itself can act out: a hook's return is its answer. */
const messageSteps = new Set(['complete-twice', 'fail-then-throw', 'return'])

function speaksMessages(app: LeafSpec): boolean {
  return (
    (app.before?.length ?? 0) > 0 ||
    app.inspectScope === true ||
    messageSteps.has(app.startup?.then ?? 'complete') ||
    messageSteps.has(app.shutdown?.then ?? 'complete')
  )
}

function treeNeeds(app: AppSpec, needs: Set<Capability>): void {
  if (app.kind === 'app') {
    if (speaksMessages(app)) needs.add('lifespan-protocol')
    return
  }
  needs.add('compose')
  if (app.startupTimeoutMs !== undefined || app.shutdownTimeoutMs !== undefined) needs.add('router-timeouts')
  for (const entry of app.routes) if ('app' in entry) treeNeeds(entry.app, needs)
}

function outcomeNeeds(expect: OutcomeExpect | undefined, needs: Set<Capability>): void {
  if (expect === undefined || expect.ok !== false) return
  if (expect.error !== undefined || expect.code !== undefined || expect.cause !== undefined || expect.alsoMessages !== undefined) {
    needs.add('error-objects')
  }
}

/** Events from the `tsgi:lifecycle` channel exist only where a driver can subscribe to it. */
function mentionsLifecycle(scenario: Scenario): boolean {
  const expect = scenario.expect ?? {}
  const events = [
    ...(expect.trace ?? []),
    ...(expect.order ?? []).flat(),
    ...(expect.present ?? []),
    ...(expect.absent ?? []),
    ...(expect.once ?? []),
    ...Object.keys(expect.detail ?? {}),
    ...scenario.actions.flatMap((a) => (a.do === 'wait-for' ? [a.event] : [])),
  ]
  return events.some((event) => event.startsWith('lifecycle.'))
}

export function requirementsOf(scenario: Scenario): Capability[] {
  const needs = new Set<Capability>()
  treeNeeds(scenario.setup.app, needs)
  const server = scenario.setup.server
  if (server !== undefined) {
    if (server.onStartup !== undefined || server.onShutdown !== undefined) needs.add('hooks')
    if (server.lifespan !== undefined) needs.add('lifespan-fns')
    if (server.startupTimeoutMs !== undefined || server.shutdownTimeoutMs !== undefined || server.drainTimeoutMs !== undefined) {
      needs.add('server-timeouts')
    }
    if (server.maxBodyBytes !== undefined) needs.add('body-limit')
    if (server.logDetails !== undefined) needs.add('log-details')
    if (server.portTaken === true) needs.add('bind')
  }
  for (const action of scenario.actions) {
    switch (action.do) {
      case 'boot':
      case 'stop':
        outcomeNeeds(action.expect, needs)
        break
      case 'stop-twice':
        needs.add('close-api')
        outcomeNeeds(action.expect, needs)
        break
      case 'request':
        needs.add('http')
        break
      case 'settle':
        if (action.expect !== undefined && 'ok' in action.expect) outcomeNeeds(action.expect, needs)
        break
      case 'signal':
        needs.add('signals')
        break
      case 'exit':
        needs.add('exit-code')
        break
      case 'idle-connection':
      case 'connect':
        needs.add('sockets')
        break
      case 'websocket':
        needs.add('websocket')
        break
      case 'wait':
      case 'wait-for':
        break
    }
  }
  if (scenario.expect?.phase !== undefined || mentionsLifecycle(scenario)) needs.add('lifecycle')
  if (scenario.expect?.manager !== undefined) needs.add('manager')
  return [...needs].sort()
}
