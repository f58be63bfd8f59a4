import type { Logger } from './protocol/types.ts'

const ignore = (): void => {}

/** The default below serve(): libraries stay quiet unless the caller hands them a logger. */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore })

/** serve()'s default: console, without debug chatter. */
export const consoleLogger: Logger = Object.freeze({
  debug: ignore,
  info: (...args: unknown[]) => console.info(...args),
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
})
