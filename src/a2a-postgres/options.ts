// postgresTasks()'s options and their checks, made once when it is called.

import type pg from 'pg'
import { optionNames, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'

export interface PostgresTasksOptions {
  /** postgres://user:password@host:port/database; a pool is made at startup and ended at shutdown. */
  connectionString?: string
  /** A pg Pool of yours instead (you end it); LISTEN takes one more connection with its settings. */
  pool?: pg.Pool
  /** Create the task table (the SDK's shape) and ours at startup when missing. Default true. */
  migrate?: boolean
  /**
   * At most this long after a replica stops (SIGKILL, lost network), a survivor marks the tasks
   * it was running FAILED. Heartbeats run every quarter of it. Default 15 000 ms.
   */
  leaseMs?: number
}

export interface PostgresTasksConfig {
  connectionString: string | null
  pool: pg.Pool | null
  migrate: boolean
  leaseMs: number
}

/** Every name PostgresTasksOptions has: postgresTasks() refuses any other. */
const KNOWN = optionNames<PostgresTasksOptions>()(['connectionString', 'pool', 'migrate', 'leaseMs'])
const fail = (message: string): never => {
  throw new InvalidArgumentError(message)
}

export function readPostgresTasksOptions(options: PostgresTasksOptions): PostgresTasksConfig {
  if (options === null || typeof options !== 'object') fail('postgresTasks() needs { connectionString } or { pool }')
  refuseUnknownOptions(options, KNOWN, 'postgresTasks()', fail)
  const { connectionString, pool, migrate, leaseMs } = options
  if ((connectionString === undefined) === (pool === undefined)) fail('postgresTasks() needs exactly one of connectionString and pool')
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString.trim() === '')) {
    // The value itself may hold a password: say what it is, not what it says.
    fail(
      `postgresTasks() connectionString must be a non-empty string, got ${typeof connectionString === 'string' ? 'an empty string' : show(connectionString)}`,
    )
  }
  if (
    pool !== undefined &&
    (pool === null || typeof pool !== 'object' || typeof pool.connect !== 'function' || typeof pool.query !== 'function')
  ) {
    fail(`postgresTasks() pool must be a pg Pool, got ${show(pool)}`)
  }
  if (migrate !== undefined && typeof migrate !== 'boolean') fail(`postgresTasks() migrate must be true or false, got ${show(migrate)}`)
  if (leaseMs !== undefined && (typeof leaseMs !== 'number' || !Number.isInteger(leaseMs) || leaseMs < 100)) {
    fail(`postgresTasks() leaseMs must be an integer of at least 100 (milliseconds), got ${show(leaseMs)}`)
  }
  return {
    connectionString: connectionString ?? null,
    pool: pool ?? null,
    migrate: migrate ?? true,
    leaseMs: leaseMs ?? 15_000,
  }
}
