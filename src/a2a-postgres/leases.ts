// Leases: each replica holds one on every task it runs, renewed by a heartbeat, so the others
// know where a task runs (to reach it with a cancel) and notice when its replica is gone.
//
// `leaseMs` is the promise made to clients: at most that long after a replica stops (SIGKILL,
// a lost network), a survivor has marked its running tasks FAILED. A lease is therefore written
// to expire half a lease after each renewal, and renewals and sweeps run every quarter lease:
// one missed heartbeat is tolerated, and death -> expiry (<= 1/2) -> sweep (<= 1/4) fits.
// All times are the database's (now()), so replicas' clocks need not agree.

import type pg from 'pg'
import type { TaskKey } from './events.ts'
import { CHANNEL, LEASE_TABLE } from './schema.ts'

export interface LeaseHandlers {
  /** The heartbeat found a cancel asked for one of our tasks (the NOTIFY may have been missed). */
  onCancelRequested(key: TaskKey): void
  /** A lease of some replica lapsed and this replica took it away: fail the task. */
  onLapsed(key: TaskKey): Promise<void>
  /** After each heartbeat round, for housekeeping (pruning old events). */
  onBeat(): Promise<void>
  onError(error: unknown): void
}

interface LeaseRow {
  tenant: string
  owner: string
  task_id: string
}

const toKey = (row: LeaseRow): TaskKey => ({ tenant: row.tenant, owner: row.owner, taskId: row.task_id })

export class Leases {
  readonly #pool: pg.Pool
  readonly #replica: string
  readonly #ttl: string
  readonly #beatMs: number
  readonly #handlers: LeaseHandlers
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> | null = null

  constructor(pool: pg.Pool, replica: string, leaseMs: number, handlers: LeaseHandlers) {
    this.#pool = pool
    this.#replica = replica
    this.#ttl = `${Math.ceil(leaseMs / 2)} milliseconds`
    this.#beatMs = Math.max(Math.floor(leaseMs / 4), 10)
    this.#handlers = handlers
  }

  start(): void {
    this.#timer = setInterval(() => void this.beat(), this.#beatMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Takes the task's lease for this replica (a new execution of a task replaces an old lease). */
  async acquire(key: TaskKey): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${LEASE_TABLE} (tenant, owner, task_id, replica, expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval)
       ON CONFLICT (tenant, owner, task_id) DO UPDATE SET replica = EXCLUDED.replica, expires_at = EXCLUDED.expires_at, cancel_requested = false`,
      [key.tenant, key.owner, key.taskId, this.#replica, this.#ttl],
    )
  }

  /** Gives the lease up (the execution ended); a lease another replica took since stays. */
  async release(key: TaskKey): Promise<void> {
    await this.#pool.query(`DELETE FROM ${LEASE_TABLE} WHERE tenant = $1 AND owner = $2 AND task_id = $3 AND replica = $4`, [
      key.tenant,
      key.owner,
      key.taskId,
      this.#replica,
    ])
  }

  /** Whether a live lease is held on the task, by any replica. */
  async held(key: TaskKey): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `SELECT 1 FROM ${LEASE_TABLE} WHERE tenant = $1 AND owner = $2 AND task_id = $3 AND expires_at > now()`,
      [key.tenant, key.owner, key.taskId],
    )
    return (rowCount ?? 0) > 0
  }

  /**
   * Marks a cancel on the task's live lease and notifies its holder, in one statement;
   * resolves false when no replica holds a live lease on it (it runs nowhere).
   */
  async requestCancel(key: TaskKey): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `WITH l AS (UPDATE ${LEASE_TABLE} SET cancel_requested = true
         WHERE tenant = $1 AND owner = $2 AND task_id = $3::varchar AND expires_at > now() RETURNING replica)
       SELECT pg_notify('${CHANNEL}', json_build_object('c', $3::varchar, 'r', l.replica)::text) FROM l`,
      [key.tenant, key.owner, key.taskId],
    )
    return (rowCount ?? 0) > 0
  }

  /** One heartbeat round now (also after a LISTEN gap); rounds never overlap. */
  beat(): Promise<void> {
    this.#beating ??= this.#round().finally(() => {
      this.#beating = null
    })
    return this.#beating
  }

  async #round(): Promise<void> {
    try {
      const renewed = await this.#pool.query<LeaseRow & { cancel_requested: boolean }>(
        `UPDATE ${LEASE_TABLE} SET expires_at = now() + $2::interval WHERE replica = $1 RETURNING tenant, owner, task_id, cancel_requested`,
        [this.#replica, this.#ttl],
      )
      for (const row of renewed.rows) if (row.cancel_requested) this.#handlers.onCancelRequested(toKey(row))
      // DELETE takes each lapsed row once: two survivors sweeping together split them.
      const lapsed = await this.#pool.query<LeaseRow>(
        `DELETE FROM ${LEASE_TABLE} WHERE expires_at < now() RETURNING tenant, owner, task_id`,
      )
      for (const row of lapsed.rows) await this.#handlers.onLapsed(toKey(row))
      await this.#handlers.onBeat()
    } catch (error) {
      this.#handlers.onError(error)
    }
  }
}
