// Reading the lifecycle half of the options, shared by every host (serve(), embed()): the hook
// and lifespan lists and the logger, each checked when the host is built, with a sentence that
// names the option and shows the offending value. `fail` is the host's own, so the error names it.

import { consoleLogger, silentLogger } from '../logging.ts'
import type { Logger } from '../protocol/types.ts'

/** A value as an error message shows it: strings quoted, objects by kind (their contents may be secret). */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

/** A list of functions (a single `lifespan` function is taken as a list of one). */
export function readFunctions<T>(value: unknown, option: string, fail: (message: string) => never): T[] {
  if (value === undefined) return []
  const list = typeof value === 'function' && option === 'lifespan' ? [value] : value
  if (!Array.isArray(list)) fail(`${option} must be an array of functions, got ${show(value)}`)
  list.forEach((fn, i) => {
    if (typeof fn !== 'function') fail(`${option}[${i}] must be a function, got ${show(fn)}`)
  })
  return [...list] as T[]
}

/** A Logger (console and pino fit), false for none, or the console by default. */
export function readLogger(value: unknown, fail: (message: string) => never): Logger {
  if (value === false) return silentLogger
  if (value === undefined) return consoleLogger
  const methods = ['debug', 'info', 'warn', 'error'] as const
  if (value === null || typeof value !== 'object' || methods.some((m) => typeof (value as Logger)[m] !== 'function')) {
    fail(`logger must have debug, info, warn and error methods (console and pino do), or be false; got ${show(value)}`)
  }
  return value as Logger
}
