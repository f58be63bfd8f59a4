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

/** A yes/no option: absent is false; anything but a boolean is refused, so `'false'` cannot mean true. */
export function readFlag(value: unknown, option: string, fail: (message: string) => never): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') fail(`${option} must be true or false, got ${show(value)}`)
  return value
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

/** The names of `T` the list `N` leaves out. */
type Missing<T, N extends readonly PropertyKey[]> = Exclude<keyof T, N[number]>

/**
 * The option names of `T`, written once next to its interface as the list a reader refuses every
 * other name with. TypeScript holds the list complete: a name `T` lacks, or one of `T`'s left out,
 * fails to compile (`'missing option names': 'writeTimeoutMs'`), so adding an option to the
 * interface without adding it here cannot slip through.
 * @example export const serveOptionNames = optionNames<ServeOptions>()(['port', 'host', ...])
 */
export function optionNames<T extends object>() {
  return <const N extends ReadonlyArray<keyof T & string>>(
    names: N & ([Missing<T, N>] extends [never] ? unknown : { 'missing option names': Missing<T, N> }),
  ): ReadonlyArray<keyof T & string> => Object.freeze([...names])
}

/**
 * Refuses option names the reader does not know, so a typo (`onstartup`) fails at once instead of
 * being ignored; the message names the option and the closest known name. TypeScript catches
 * these only where no cast or `any` got in the way. For an option that is itself an object of
 * options, `path` is its name: the message then names the full path (`health.prot`, and
 * `health.port` as the closest), so the user sees which object holds the typo.
 */
export function refuseUnknownOptions(
  options: object,
  known: readonly string[],
  where: string,
  fail: (message: string) => never,
  path?: string,
): void {
  const prefix = path === undefined ? '' : `${path}.`
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const near = closest(name, known)
    fail(`${where} has no option '${prefix}${name}'${near === null ? '' : `; did you mean '${prefix}${near}'?`}`)
  }
}

/** The known name nearest to `name` by edit distance (case ignored), if it is near enough to be a typo. */
function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]!
}
