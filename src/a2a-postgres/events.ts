// The events of running tasks, written by the replica that runs them and read by subscribers
// on any replica. Each append is one round trip: the row, and a NOTIFY carrying only the task
// id and the row's number, so a listener reads the event from the table (payloads are limited
// to 8,000 bytes and dropped when no one listens; a row is neither). Appends of one task are
// chained, so its rows are numbered and committed in the order the executor published them
// and a reader that goes by number never skips one.

import { StreamResponse } from '@a2a-js/sdk'
import type { AgentExecutionEvent } from '@a2a-js/sdk/server'
import type pg from 'pg'
import { CHANNEL, EVENT_TABLE } from './schema.ts'

export interface TaskKey {
  tenant: string
  owner: string
  taskId: string
}

export interface StoredEvent {
  seq: number
  response: StreamResponse
}

/** How long events are kept: subscribers read them within seconds of their writing. */
const RETENTION_SECONDS = 60
/** Rows one read returns at most: a subscriber far behind reads in pages. */
const PAGE = 200

const APPEND = `WITH e AS (INSERT INTO ${EVENT_TABLE} (tenant, owner, task_id, body) VALUES ($1, $2, $3::varchar, $4) RETURNING seq)
  SELECT pg_notify('${CHANNEL}', json_build_object('e', $3::varchar, 's', e.seq)::text) FROM e`

export class EventLog {
  readonly #pool: pg.Pool
  readonly #tails = new Map<string, Promise<void>>()
  readonly #onError: (error: unknown) => void

  constructor(pool: pg.Pool, onError: (error: unknown) => void) {
    this.#pool = pool
    this.#onError = onError
  }

  /** Queues the event after the task's earlier ones; failures go to `onError`, never thrown. */
  append(key: TaskKey, response: StreamResponse): void {
    const id = keyString(key)
    const body = JSON.stringify(StreamResponse.toJSON(response))
    const previous = this.#tails.get(id) ?? Promise.resolve()
    const next = previous
      .then(() => this.#pool.query(APPEND, [key.tenant, key.owner, key.taskId, body]))
      .then(
        () => undefined,
        (error: unknown) => this.#onError(error),
      )
    this.#tails.set(id, next)
    void next.then(() => {
      if (this.#tails.get(id) === next) this.#tails.delete(id)
    })
  }

  /** Resolves once every event queued for the task so far is written (or failed). */
  flushed(key: TaskKey): Promise<void> {
    return this.#tails.get(keyString(key)) ?? Promise.resolve()
  }

  /** The number of the task's newest event (0 when none): a subscriber reads after it. */
  async latest(key: TaskKey): Promise<number> {
    const { rows } = await this.#pool.query<{ seq: string | null }>(
      `SELECT max(seq) AS seq FROM ${EVENT_TABLE} WHERE task_id = $3 AND tenant = $1 AND owner = $2`,
      [key.tenant, key.owner, key.taskId],
    )
    return Number(rows[0]?.seq ?? 0)
  }

  /** The task's events numbered after `seq`, oldest first, one page at most. */
  async after(key: TaskKey, seq: number): Promise<StoredEvent[]> {
    const { rows } = await this.#pool.query<{ seq: string; body: string }>(
      `SELECT seq, body FROM ${EVENT_TABLE} WHERE task_id = $3 AND tenant = $1 AND owner = $2 AND seq > $4 ORDER BY seq LIMIT ${PAGE}`,
      [key.tenant, key.owner, key.taskId, seq],
    )
    return rows.map((row) => ({ seq: Number(row.seq), response: StreamResponse.fromJSON(JSON.parse(row.body)) }))
  }

  /** Drops events past their retention; any replica may do it, at any time. */
  async prune(): Promise<void> {
    await this.#pool.query(`DELETE FROM ${EVENT_TABLE} WHERE created_at < now() - interval '${RETENTION_SECONDS} seconds'`)
  }
}

function keyString(key: TaskKey): string {
  return `${key.tenant}\u0000${key.owner}\u0000${key.taskId}`
}

/** The event as SubscribeToTask streams it; messages are not part of a task's stream. */
export function toStreamResponse(event: AgentExecutionEvent): StreamResponse | null {
  switch (event.kind) {
    case 'task':
      return { payload: { $case: 'task', value: event.data } }
    case 'statusUpdate':
      return { payload: { $case: 'statusUpdate', value: event.data } }
    case 'artifactUpdate':
      return { payload: { $case: 'artifactUpdate', value: event.data } }
    default:
      return null
  }
}
