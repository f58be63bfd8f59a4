// The caller as the A2A SDK's executors and task stores see it (`context.user`) once `auth`
// verified its token; without `auth` every caller is the SDK's UnauthenticatedUser.

import type { AuthInfo } from '../sdk/auth.ts'

/**
 * The SDK's user for a caller whose token verified (with `auth`): what executors and task
 * stores see as `context.user`; its userName is the AuthInfo's clientId.
 * @example
 * async execute(ctx, bus) {
 *   const user = ctx.context.user
 *   if (user instanceof AuthenticatedUser && !user.authInfo.scopes.includes('write')) throw new Error('forbidden')
 * }
 */
export class AuthenticatedUser {
  constructor(readonly authInfo: AuthInfo) {}
  get isAuthenticated(): boolean {
    return true
  }
  get userName(): string {
    return this.authInfo.clientId
  }
}
