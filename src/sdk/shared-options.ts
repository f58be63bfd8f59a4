// The protections agent() shares with the apps it composes (allowedHosts, cors, auth), also for
// an app built beforehand and passed in: such an app takes the shared settings it has none of
// its own for, so a user who set them on agent() is never silently unprotected. The key is a
// global symbol, so the apps need not import agent() nor agent() the apps.

import type { App } from '../protocol/types.ts'
import type { AuthOptions } from './auth.ts'
import type { CorsOptions } from './cors.ts'

/** What both apps take from one option; an app's own setting, if given, wins. */
export interface SharedAppOptions {
  /** Host names both apps answer (DNS-rebinding defence); others get 403. */
  allowedHosts?: string[]
  /** CORS for browser clients, on both apps. */
  cors?: CorsOptions
  /** Bearer-token auth on both apps; the card and the health probes stay public. */
  auth?: AuthOptions
}

export const ADOPT_SHARED_OPTIONS: unique symbol = Symbol.for('tsgi.adoptSharedOptions') as never

/** An app that can take the shared protections it has no setting of its own for. */
export interface AdoptsSharedOptions {
  [ADOPT_SHARED_OPTIONS](shared: SharedAppOptions): void
}

export function adoptsSharedOptions(app: App): app is App & AdoptsSharedOptions {
  return typeof (app as Partial<AdoptsSharedOptions>)[ADOPT_SHARED_OPTIONS] === 'function'
}

/** The names of the shared options that were given. */
export function givenSharedOptions(shared: SharedAppOptions): string[] {
  return (['allowedHosts', 'cors', 'auth'] as const).filter((name) => shared[name] !== undefined)
}
