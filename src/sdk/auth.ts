// Bearer-token auth for the SDK apps: one `verify` function decides who is calling. The 401
// carries only `WWW-Authenticate` (RFC 6750, and `resource_metadata` as the MCP authorization
// spec asks) so a client learns where to get a token and nothing about why this one failed.

import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { HttpScope, Send } from '../protocol/types.ts'
import { header, rpcError, sendJson } from './http.ts'
import type { InternalErrorLog } from './internal-error.ts'

/** Who is calling, as `verify` found it; the MCP SDK's AuthInfo has this shape. */
export interface AuthInfo {
  /** The bearer token as received. */
  token: string
  clientId: string
  scopes: string[]
  /** Seconds since the epoch. */
  expiresAt?: number
  resource?: URL
  extra?: Record<string, unknown>
}

export interface AuthOptions {
  /** The caller's AuthInfo for a token, or null to refuse it (401). */
  verify(token: string, scope: HttpScope): Promise<AuthInfo | null>
  /**
   * The OAuth protected-resource metadata URL (RFC 9728) the 401 points clients to. Auth
   * guards only the JSON-RPC endpoints, so a metadata document served beside them stays public.
   */
  resourceMetadataUrl?: string
}

export type AuthOutcome = { kind: 'ok'; info: AuthInfo } | { kind: 'refused' }

export const authOptionNames = optionNames<AuthOptions>()(['verify', 'resourceMetadataUrl'])

/** An InvalidArgumentError with the message as it is (it names the app already). */
function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

/**
 * Checks the option once, when the app is built; null when auth is off. `owner` is the app
 * (`mcpApp`): the errors name it and the option (`mcpApp() has no option 'auth.verfy'`).
 */
export function readAuth(value: unknown, owner: string): AuthOptions | null {
  if (value === undefined) return null
  const option = `${owner} auth`
  const auth = value as Partial<AuthOptions> | null
  if (auth !== null && typeof auth === 'object') refuseUnknownOptions(auth, authOptionNames, `${owner}()`, refuse, 'auth')
  if (auth === null || typeof auth !== 'object' || typeof auth.verify !== 'function') {
    throw new InvalidArgumentError(`${option} must be { verify(token, scope) => Promise<AuthInfo | null> }, got ${typeof value}`)
  }
  if (auth.resourceMetadataUrl !== undefined && typeof auth.resourceMetadataUrl !== 'string') {
    throw new InvalidArgumentError(`${option}.resourceMetadataUrl must be a URL string, got ${typeof auth.resourceMetadataUrl}`)
  }
  return auth as AuthOptions
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i

/**
 * Verifies the request's bearer token. When it is missing or refused, the 401 has been sent
 * and the outcome is 'refused'; a `verify` that throws is logged (class only) and refuses too.
 */
export async function authenticate(scope: HttpScope, send: Send, auth: AuthOptions, log: InternalErrorLog): Promise<AuthOutcome> {
  const match = BEARER.exec(header(scope, 'authorization') ?? '')
  if (match === null) {
    await unauthorized(send, auth, null)
    return { kind: 'refused' }
  }
  const token = match[1]!
  let info: AuthInfo | null
  try {
    info = await auth.verify(token, scope)
  } catch (error) {
    log('auth.verify', error)
    info = null
  }
  if (info === null || typeof info !== 'object') {
    await unauthorized(send, auth, 'invalid_token')
    return { kind: 'refused' }
  }
  return { kind: 'ok', info: { ...info, token } }
}

function unauthorized(send: Send, auth: AuthOptions, error: string | null): Promise<void> {
  const params: string[] = []
  if (error !== null) params.push(`error="${error}"`)
  if (auth.resourceMetadataUrl !== undefined) params.push(`resource_metadata="${auth.resourceMetadataUrl}"`)
  const challenge = params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
  return sendJson(send, 401, rpcError(-32001, 'Unauthorized'), [['www-authenticate', challenge]])
}
