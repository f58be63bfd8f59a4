import { InvalidArgumentError } from '../protocol/errors.ts'

// One bounded wait. A step that overruns is abandoned, not cancelled: JavaScript cannot stop a
// promise, so the caller's AbortSignal (if any) is what tells the step's own code to give up.

/** No limit: a step may run as long as it likes. */
export const NO_DEADLINE = Number.POSITIVE_INFINITY

/**
 * Settles like `work`, unless `timeoutMs` passes first; then rejects with `onTimeout()` and
 * calls `abandon` so the step can release what it holds.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error, abandon?: () => void): Promise<T> {
  if (!Number.isFinite(timeoutMs)) return work
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      abandon?.()
      reject(onTimeout())
    }, timeoutMs)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** Checks a user-supplied time limit once, when options are read, not when the step runs. */
export function readTimeout(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new InvalidArgumentError(`${option} must be a positive number of milliseconds (or Infinity), got ${String(value)}`)
  }
  return value
}
