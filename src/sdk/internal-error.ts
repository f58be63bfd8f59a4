// One log line per internal error, secret-safe as serve()'s hook logs are: the app, the step
// and the error's class, and its message only with `logDetails` (error texts carry DSNs and
// tokens). What the client gets is decided elsewhere and never includes any of it.

import type { Logger } from '../protocol/types.ts'

/** Logs one internal error under a step name. */
export type InternalErrorLog = (step: string, error: unknown) => void

export interface LogTarget {
  /** The logger in force: the app's own, else the one the lifespan scope brought. */
  logger(): Logger | null
  logDetails: boolean
}

/** The class of a thrown value, for a log line that must not print its text. */
export function errorClass(error: unknown): string {
  if (error instanceof Error) return error.constructor?.name || error.name || 'Error'
  return error === null ? 'null' : typeof error
}

export function internalErrorLog(app: string, target: LogTarget): InternalErrorLog {
  return (step, error) => {
    const logger = target.logger()
    if (logger === null) return
    const detail = target.logDetails && error instanceof Error ? `: ${error.message}` : ''
    logger.error(`tsgi ${app}: ${step} failed with ${errorClass(error)}${detail}`)
  }
}
