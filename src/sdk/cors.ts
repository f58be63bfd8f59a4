// CORS for the SDK apps, so browser clients (the MCP Inspector, a web A2A client) can call
// them. Off unless configured; with it on, only the listed origins get CORS headers, so a
// page from any other origin still cannot read a response.

import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { HttpScope, Send } from '../protocol/types.ts'
import { header } from './http.ts'

export interface CorsOptions {
  /** The origins allowed to call (exact `scheme://host[:port]` strings), or a test of one. */
  origins: string[] | ((origin: string) => boolean)
}

/** What one app allows and shows: its methods, the request headers its protocol uses, the response headers clients read. */
export interface CorsPolicy {
  allows(origin: string): boolean
  methods: string
  allowHeaders: string
  exposeHeaders: string
}

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600'

export const corsOptionNames = optionNames<CorsOptions>()(['origins'])

/** An InvalidArgumentError with the message as it is (it names the app already). */
function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

/**
 * Checks the option once, when the app is built; null when CORS is off. `owner` is the app
 * (`mcpApp`): the errors name it and the option (`mcpApp() has no option 'cors.orgins'`).
 */
export function readCors(value: unknown, owner: string, protocol: Omit<CorsPolicy, 'allows'>): CorsPolicy | null {
  if (value === undefined) return null
  const option = `${owner} cors`
  if (value !== null && typeof value === 'object') refuseUnknownOptions(value, corsOptionNames, `${owner}()`, refuse, 'cors')
  const origins = (value as { origins?: unknown } | null)?.origins
  if (typeof origins === 'function') return { ...protocol, allows: (origin) => (origins as (o: string) => boolean)(origin) === true }
  if (Array.isArray(origins) && origins.every((o) => typeof o === 'string')) {
    const set = new Set(origins as string[])
    return { ...protocol, allows: (origin) => set.has(origin) }
  }
  throw new InvalidArgumentError(`${option} must be { origins: string[] | (origin) => boolean }, got ${JSON.stringify(value)}`)
}

/** The request's Origin when the policy allows it, else null (no CORS headers then). */
export function allowedOrigin(scope: HttpScope, policy: CorsPolicy | null): string | null {
  if (policy === null) return null
  const origin = header(scope, 'origin')
  return origin !== undefined && policy.allows(origin) ? origin : null
}

/** Is this a CORS preflight (OPTIONS with Access-Control-Request-Method)? */
export function isPreflight(scope: HttpScope): boolean {
  return scope.method === 'OPTIONS' && header(scope, 'access-control-request-method') !== undefined
}

/** Answers a preflight: 204 with the policy's headers for an allowed origin, 403 with none otherwise. */
export async function answerPreflight(scope: HttpScope, send: Send, policy: CorsPolicy): Promise<void> {
  const origin = allowedOrigin(scope, policy)
  const headers: Array<[string, string]> =
    origin === null
      ? [['vary', 'Origin']]
      : [
          ['access-control-allow-origin', origin],
          ['access-control-allow-methods', policy.methods],
          ['access-control-allow-headers', policy.allowHeaders],
          ['access-control-max-age', PREFLIGHT_MAX_AGE],
          ['vary', 'Origin'],
        ]
  await send({ type: 'http.response.start', status: origin === null ? 403 : 204, headers })
  await send({ type: 'http.response.body' })
}

/** A send that adds the CORS response headers for `origin` to the response's start. */
export function withCorsHeaders(send: Send, origin: string, policy: CorsPolicy): Send {
  return (message) => {
    if (message.type !== 'http.response.start') return send(message)
    return send({
      ...message,
      headers: [
        ...(message.headers ?? []),
        ['access-control-allow-origin', origin],
        ['access-control-expose-headers', policy.exposeHeaders],
        ['vary', 'Origin'],
      ],
    })
  }
}
