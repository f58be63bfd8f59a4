// How a failed startup or shutdown is reported: one error whose message names the steps, whose
// `cause` is the first original error and whose `errors` are all of them. The app's own text
// names mount paths, so it is shown; hook errors stay in `cause`, out of the message, because
// hook closures hold secrets and their errors often quote them.

import { LifespanShutdownError, LifespanStartupError, originalErrors } from '../protocol/errors.ts'

export type Failure = { step: string; error: unknown }

function appText(failure: Failure | undefined): string {
  return failure?.step === 'app' && failure.error instanceof Error ? `: ${failure.error.message}` : ''
}

/** `failure` is null when a signal interrupted the startup rather than a step failing it. */
export function startupError(failure: Failure | null, cleanup: Failure[], signal: NodeJS.Signals | null): LifespanStartupError {
  const errors = [failure, ...cleanup].flatMap((f) => (f === null ? [] : originalErrors(f.error).errors))
  if (failure === null) return new LifespanStartupError(`startup was interrupted by ${signal}; nothing was left listening`, { errors })
  return new LifespanStartupError(`startup failed at ${failure.step}${appText(failure)}; nothing was left listening`, {
    cause: originalErrors(failure.error).cause,
    errors,
  })
}

export function shutdownError(failures: Failure[]): LifespanShutdownError {
  return new LifespanShutdownError(
    `shutdown failed at ${failures.map((f) => f.step).join(', ')}${appText(failures.find((f) => f.step === 'app'))}`,
    {
      cause: originalErrors(failures[0]!.error).cause,
      errors: failures.flatMap((f) => originalErrors(f.error).errors),
    },
  )
}
