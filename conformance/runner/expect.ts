// Checks observations against a scenario's expectations. Each check returns the sentences that
// say what differed; an empty list is a pass.

import { isDeepStrictEqual } from 'node:util'
import type { TraceEvent } from '../apps/trace.ts'
import type { HttpResult, Outcome } from '../drivers/types.ts'
import type { Expectation, HttpExpect, OutcomeExpect } from '../scenarios/types.ts'

/**
 * Runner events start with '@', lifecycle channel events with 'lifecycle.', and what the app
 * tree sent to the server with '>'; the rest are the apps' own.
 */
export function isAppEvent(event: string): boolean {
  return !event.startsWith('@') && !event.startsWith('lifecycle.') && !event.startsWith('>')
}

function errorField(error: unknown, key: string): unknown {
  return error !== null && typeof error === 'object' ? (error as Record<string, unknown>)[key] : undefined
}

function text(value: unknown): string {
  return value instanceof Error ? value.message : String(value)
}

function missingParts(haystack: string, parts: string[] | undefined, what: string): string[] {
  return (parts ?? []).filter((part) => !haystack.includes(part)).map((part) => `${what} lacks ${JSON.stringify(part)}`)
}

export function checkOutcome(expect: OutcomeExpect | undefined, outcome: Outcome, what: string): string[] {
  if (expect === undefined || expect.ok === 'either') return []
  if (expect.ok) return outcome.ok ? [] : [`${what} failed: ${outcome.message.slice(0, 300)}`]
  if (outcome.ok) return [`${what} succeeded; expected it to fail`]
  const failures = missingParts(outcome.message, expect.message, `${what} failure`)
  const error = outcome.error
  if (expect.error !== undefined && errorField(error, 'name') !== expect.error) {
    failures.push(`${what} rejected with ${String(errorField(error, 'name'))}, expected ${expect.error}`)
  }
  if (expect.code !== undefined && errorField(error, 'code') !== expect.code) {
    failures.push(`${what} error code ${String(errorField(error, 'code'))}, expected ${expect.code}`)
  }
  if (expect.cause !== undefined) {
    const cause = errorField(error, 'cause')
    if (cause === undefined) failures.push(`${what} error has no cause`)
    else {
      if (expect.cause.error !== undefined && errorField(cause, 'name') !== expect.cause.error) {
        failures.push(`${what} cause is ${String(errorField(cause, 'name'))}, expected ${expect.cause.error}`)
      }
      if (expect.cause.code !== undefined && errorField(cause, 'code') !== expect.cause.code) {
        failures.push(`${what} cause code is ${String(errorField(cause, 'code'))}, expected ${expect.cause.code}`)
      }
      failures.push(...missingParts(text(cause), expect.cause.message, `${what} cause message`))
    }
  }
  if (expect.alsoMessages !== undefined) {
    const errors = errorField(error, 'errors')
    const all = Array.isArray(errors) ? errors.map(text).join('\n') : ''
    failures.push(...missingParts(all, expect.alsoMessages, `${what} errors[]`))
  }
  return failures
}

function headerValues(headers: Array<[string, string]>, name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value)
}

export function checkHttp(expect: HttpExpect | undefined, result: HttpResult, what: string): string[] {
  if (expect === undefined) return []
  if (expect.fails !== undefined) {
    if (result.ok) return [`${what} got ${result.status}; expected the connection to fail (${expect.fails})`]
    if (expect.fails !== 'any' && result.failure !== expect.fails)
      return [`${what} failed with ${result.failure}, expected ${expect.fails}`]
    return []
  }
  if (!result.ok) return [`${what} failed: ${result.failure} (${result.message})`]
  const failures: string[] = []
  if (expect.status !== undefined && result.status !== expect.status)
    failures.push(`${what} status ${result.status}, expected ${expect.status}`)
  if (expect.json !== undefined) {
    let body: Record<string, unknown> | null = null
    try {
      body = JSON.parse(result.body) as Record<string, unknown>
    } catch {
      failures.push(`${what} body is not JSON: ${JSON.stringify(result.body.slice(0, 120))}`)
    }
    for (const [key, value] of Object.entries(expect.json)) {
      if (body !== null && !isDeepStrictEqual(body[key], value)) {
        failures.push(`${what} json.${key} is ${JSON.stringify(body[key])}, expected ${JSON.stringify(value)}`)
      }
    }
  }
  failures.push(...missingParts(result.body, expect.bodyIncludes, `${what} body`))
  for (const part of expect.bodyExcludes ?? [])
    if (result.body.includes(part)) failures.push(`${what} body contains ${JSON.stringify(part)}`)
  if (expect.noBody === true && result.body.length > 0) failures.push(`${what} has a body of ${result.body.length} bytes; expected none`)
  for (const [name, want] of Object.entries(expect.headers ?? {})) {
    const got = headerValues(result.headers, name)
    const wanted = typeof want === 'string' ? [want] : want
    if (!isDeepStrictEqual(got, wanted))
      failures.push(`${what} header ${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`)
  }
  for (const [name, parts] of Object.entries(expect.headerIncludes ?? {})) {
    failures.push(...missingParts(headerValues(result.headers, name).join(', '), parts, `${what} header ${name}`))
  }
  return failures
}

/** Whether `wanted` appears in order within `events` (other events may sit between). */
function inOrder(events: string[], wanted: string[]): string | null {
  let from = 0
  for (const event of wanted) {
    const at = events.indexOf(event, from)
    if (at === -1) return events.includes(event) ? `'${event}' comes too early` : `'${event}' never happened`
    from = at + 1
  }
  return null
}

export interface Observed {
  trace: TraceEvent[]
  log: string
  phase?: string | undefined
  manager?: { supported: boolean; state: Record<string, unknown> } | undefined
}

export function checkTrace(expect: Expectation | undefined, observed: Observed): string[] {
  const { trace, log, phase, manager } = observed
  if (expect === undefined) return []
  const failures: string[] = []
  const events = trace.map((e) => e.event)
  if (expect.trace !== undefined) {
    const own = events.filter(isAppEvent)
    if (!isDeepStrictEqual(own, expect.trace)) failures.push(`trace is [${own.join(', ')}], expected [${expect.trace.join(', ')}]`)
  }
  for (const wanted of expect.order ?? []) {
    const problem = inOrder(events, wanted)
    if (problem !== null) failures.push(`order [${wanted.join(' < ')}]: ${problem}`)
  }
  for (const event of expect.present ?? []) if (!events.includes(event)) failures.push(`'${event}' never happened`)
  for (const event of expect.absent ?? []) if (events.includes(event)) failures.push(`'${event}' happened; expected it not to`)
  for (const event of expect.once ?? []) {
    const count = events.filter((e) => e === event).length
    if (count !== 1) failures.push(`'${event}' happened ${count} times; expected once`)
  }
  for (const [event, parts] of Object.entries(expect.detail ?? {})) {
    const found = trace.find((e) => e.event === event)
    if (found === undefined) failures.push(`'${event}' never happened`)
    else failures.push(...missingParts(found.detail ?? '', parts, `'${event}' detail`))
  }
  failures.push(...missingParts(log, expect.logIncludes, 'the log'))
  for (const part of expect.logExcludes ?? []) if (log.includes(part)) failures.push(`the log contains ${JSON.stringify(part)}`)
  if (expect.phase !== undefined && phase !== expect.phase) failures.push(`final phase is ${String(phase)}, expected ${expect.phase}`)
  if (expect.manager?.supported !== undefined && manager?.supported !== expect.manager.supported) {
    failures.push(`manager.supported is ${String(manager?.supported)}, expected ${String(expect.manager.supported)}`)
  }
  for (const [key, value] of Object.entries(expect.manager?.state ?? {})) {
    if (!isDeepStrictEqual(manager?.state[key], value))
      failures.push(`manager.state.${key} is ${JSON.stringify(manager?.state[key])}, expected ${JSON.stringify(value)}`)
  }
  return failures
}
