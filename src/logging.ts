import type { Logger } from './protocol/types.ts'

const ignore = (): void => {}

/** The default below serve(): libraries stay quiet unless the caller hands them a logger. */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore })
