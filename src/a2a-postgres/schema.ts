// The tables: the SDK's task table, and two of ours for what runs across replicas.
//
// @a2a-js/sdk 1.3.0 reads and writes `tasks` (TASK_TABLE) in the TaskRow shape, and names
// `taskStoreMigrations` as what creates it, but does not export it. Until a release does (then
// this file should call it instead), the table is created here in exactly that shape: the
// TaskRow columns, the primary key DatabaseTaskStore's upsert names (tenant, owner, id), and
// byte-order ("C") collation so its keyset paging orders ids as it compares them.
//
// Replicas starting together would race on CREATE ... IF NOT EXISTS (PostgreSQL can fail one
// of two concurrent creations of the same table on its catalog's unique index), so the whole
// migration runs in one transaction under a transaction-scoped advisory lock: the second
// replica waits, then finds everything there.

import { TASK_TABLE } from '@a2a-js/sdk/server/database'
import type pg from 'pg'

export const LEASE_TABLE = 'tsgi_a2a_leases'
export const EVENT_TABLE = 'tsgi_a2a_events'
/** The one channel replicas LISTEN on; payloads carry ids only. */
export const CHANNEL = 'tsgi_a2a'

/** hashtext() of a fixed name: the advisory lock key only this migration takes. */
const LOCK = "pg_advisory_xact_lock(hashtext('tsgi/a2a-postgres migrate'))"
const KEY = `varchar(255) COLLATE "C" NOT NULL`
const ID = `varchar(36) COLLATE "C" NOT NULL`

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ${TASK_TABLE} (
    tenant ${KEY}, owner ${KEY}, id ${ID}, context_id ${ID},
    status_last_updated bigint NOT NULL, status_state varchar(255) COLLATE "C",
    status text, artifacts text, history text, metadata text, protocol_version varchar(255),
    CONSTRAINT ${TASK_TABLE}_pkey PRIMARY KEY (tenant, owner, id))`,
  `CREATE INDEX IF NOT EXISTS ${TASK_TABLE}_scope_updated_idx ON ${TASK_TABLE} (tenant, owner, status_last_updated, id)`,
  `CREATE INDEX IF NOT EXISTS ${TASK_TABLE}_scope_context_updated_idx ON ${TASK_TABLE} (tenant, owner, context_id, status_last_updated, id)`,
  // A running execution's lease: which replica runs the task, until when (the database's
  // clock, so replicas' clocks need not agree), and whether a cancel was asked for.
  `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
    tenant ${KEY}, owner ${KEY}, task_id ${ID}, replica uuid NOT NULL,
    expires_at timestamptz NOT NULL, cancel_requested boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant, owner, task_id))`,
  `CREATE INDEX IF NOT EXISTS ${LEASE_TABLE}_replica_idx ON ${LEASE_TABLE} (replica)`,
  `CREATE INDEX IF NOT EXISTS ${LEASE_TABLE}_expires_idx ON ${LEASE_TABLE} (expires_at)`,
  // The events of running tasks, for subscribers on other replicas; kept for a short while.
  `CREATE TABLE IF NOT EXISTS ${EVENT_TABLE} (
    seq bigserial PRIMARY KEY, tenant ${KEY}, owner ${KEY}, task_id ${ID},
    body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE INDEX IF NOT EXISTS ${EVENT_TABLE}_task_idx ON ${EVENT_TABLE} (task_id, seq)`,
  `CREATE INDEX IF NOT EXISTS ${EVENT_TABLE}_created_idx ON ${EVENT_TABLE} (created_at)`,
]

/** Creates what is missing; resolves with the tables this call created. */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`SELECT ${LOCK}`)
    const missing = await missingTables(client)
    for (const statement of STATEMENTS) await client.query(statement)
    await client.query('COMMIT')
    return missing
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** The tables (of the three) that do not exist, for migrate: false to refuse to start without. */
export async function missingTables(client: pg.Pool | pg.PoolClient): Promise<string[]> {
  const names = [TASK_TABLE, LEASE_TABLE, EVENT_TABLE]
  const { rows } = await client.query<{ name: string; found: string | null }>(
    'SELECT name, to_regclass(name)::text AS found FROM unnest($1::text[]) AS name',
    [names],
  )
  return rows.filter((row) => row.found === null).map((row) => row.name)
}
