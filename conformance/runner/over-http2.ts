// What a scenario means over HTTP/2. Most carry over unchanged (a request is a stream, a cut
// connection a reset stream); those that are HTTP/1.1 by nature are not applicable, with the
// reason, never passed; and where a scenario reads the echoed scope, over HTTP/2 it also checks
// that the scope says so (`httpVersion` '2', and `scheme` 'https' under TLS).

import type { Action, HttpExpect, Scenario } from '../scenarios/types.ts'
import { scopeOver, type Transport } from './transport.ts'

const NOT_APPLICABLE = 'not applicable over HTTP/2'

function requests(scenario: Scenario): Array<Extract<Action, { do: 'request' }>> {
  return scenario.actions.filter((a): a is Extract<Action, { do: 'request' }> => a.do === 'request')
}

function expectsConnectionHeader(expect: HttpExpect | undefined): boolean {
  return expect !== undefined && ('connection' in (expect.headers ?? {}) || 'connection' in (expect.headerIncludes ?? {}))
}

/** Why a scenario has no meaning over HTTP/2, or null when it runs. */
export function notApplicable(scenario: Scenario, transport: Transport): string | null {
  if (transport.name === 'h1') return null
  if (scenario.level === 'W' || scenario.actions.some((a) => a.do === 'websocket'))
    return `${NOT_APPLICABLE}: websockets over HTTP/2 (RFC 8441, extended CONNECT) are not offered; websockets run over HTTP/1.1`
  if (scenario.actions.some((a) => a.do === 'idle-connection'))
    return `${NOT_APPLICABLE}: it opens a raw HTTP/1.1 keep-alive connection and leaves it idle (bytes written by hand on a TCP socket)`
  const settled = scenario.actions.flatMap((a) =>
    a.do === 'settle' && a.expect !== undefined && !('ok' in a.expect) ? [a.expect as HttpExpect] : [],
  )
  const sent = requests(scenario)
  if (
    sent.some((r) => Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'connection') || expectsConnectionHeader(r.expect)) ||
    settled.some(expectsConnectionHeader)
  )
    return `${NOT_APPLICABLE}: it is about the Connection header, which HTTP/2 forbids (RFC 9113 §8.2.2: connection-specific fields make a message malformed)`
  if (sent.length === 0) return `${NOT_APPLICABLE}: it sends no HTTP request, so the protocol the client speaks changes nothing`
  return null
}

/** The echo endpoint (no `do=` in the query) answers with the scope; other endpoints do not. */
function readsScope(action: Extract<Action, { do: 'request' }>): boolean {
  const query = action.path.includes('?') ? new URLSearchParams(action.path.slice(action.path.indexOf('?') + 1)) : new URLSearchParams()
  return !query.has('do') && action.expect?.json !== undefined
}

/** The scenario as it runs over this transport: echoed scopes must also show the protocol and scheme. */
export function overTransport(scenario: Scenario, transport: Transport): Scenario {
  if (transport.name === 'h1') return scenario
  const { httpVersion, scheme } = scopeOver(transport)
  for (const action of requests(scenario)) {
    if (readsScope(action)) action.expect = { ...action.expect, json: { ...action.expect!.json, httpVersion, scheme } }
  }
  return scenario
}
