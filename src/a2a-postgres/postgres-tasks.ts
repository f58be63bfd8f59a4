// tsgi/a2a-postgres: A2A tasks in PostgreSQL, shared by every replica of an agent, through the
// SDK's own DatabaseTaskStore (on Kysely); and what the SDK lacks across replicas: CancelTask
// and SubscribeToTask reaching the replica that runs the task, and the tasks of a replica that
// died marked FAILED by a survivor.
//
// Why LISTEN/NOTIFY and not a relay to the owner: the replicas then need nothing but the
// database they already share (no addresses of each other, no port between pods, no new
// service), and a message the database carries is also a row the receiver can re-read.
// NOTIFY's limits are designed around: payloads carry ids only (a task's events can exceed the
// 8,000-byte limit; they go in a table), and since a notification sent while a listener is
// reconnecting is lost, every reconnection is followed by re-reading rows, readers also re-read
// on a timer, and the lease heartbeat re-reads pending cancels.

import { randomUUID } from 'node:crypto'
import type { StreamResponse, Task } from '@a2a-js/sdk'
import { type AgentExecutionEvent, ServerCallContext, type TaskStore } from '@a2a-js/sdk/server'
import { DatabaseTaskStore } from '@a2a-js/sdk/server/database'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { LocalExecution, SharedTasks } from '../a2a/shared-tasks.ts'
import { silentLogger } from '../logging.ts'
import { ServiceUnavailableError, describeError } from '../protocol/errors.ts'
import type { Logger } from '../protocol/types.ts'
import { EventLog, type TaskKey, toStreamResponse } from './events.ts'
import { databaseTarget, withoutPassword } from './database-address.ts'
import { Leases } from './leases.ts'
import { Listener } from './listener.ts'
import { readPostgresTasksOptions, type PostgresTasksConfig, type PostgresTasksOptions } from './options.ts'
import { RemoteTasks, isTerminal, keyOf } from './remote.ts'
import { REPLICA_STOPPED, replicaStoppedStatus } from './replica-stopped.ts'
import { CHANNEL, migrate, missingTables } from './schema.ts'
import { GuardedTaskStore, RETRY_AFTER_SECONDS, guarded } from './unavailable.ts'
import { Wakeups } from './wakeups.ts'

export type { PostgresTasksOptions } from './options.ts'

/** A connection attempt gives up after this long: requests must never hang on a dead database. */
const CONNECT_TIMEOUT_MS = 2_000
const QUERY_TIMEOUT_MS = 10_000

/**
 * Tasks in PostgreSQL for a2aApp's `tasks` (or agent()'s `a2a.tasks`).
 * @example
 * a2aApp({ card, executor, tasks: postgresTasks({ connectionString: process.env.DATABASE_URL }) })
 */
export function postgresTasks(options: PostgresTasksOptions): PostgresTasks {
  return new PostgresTasks(readPostgresTasksOptions(options))
}

interface Parts {
  events: EventLog
  leases: Leases
  remote: RemoteTasks
  listener: Listener
}

interface Running {
  key: TaskKey
  execution: LocalExecution
  cancelled: boolean
}

/** Made by postgresTasks(); started and stopped by the app's lifespan, once. */
export class PostgresTasks implements SharedTasks {
  readonly store: TaskStore
  /** This process's id in the lease table. */
  readonly replica = randomUUID()
  readonly #config: PostgresTasksConfig
  readonly #db: Kysely<unknown>
  readonly #wakeups = new Wakeups()
  readonly #running = new Map<string, Running>()
  readonly #settling = new Set<Promise<void>>()
  #pool: pg.Pool | null = null
  #logger: Logger = silentLogger
  #parts: Parts | null = null

  constructor(config: PostgresTasksConfig) {
    this.#config = config
    this.#db = new Kysely({ dialect: new PostgresDialect({ pool: async () => this.#started().pool }) })
    this.store = new GuardedTaskStore(new DatabaseTaskStore(this.#db))
  }

  async start(logger: Logger): Promise<void> {
    if (this.#pool !== null) throw new Error('postgresTasks() was started already; make one per app')
    this.#logger = logger
    const own = this.#config.pool === null
    const pool =
      this.#config.pool ??
      new pg.Pool({
        connectionString: this.#config.connectionString!,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: QUERY_TIMEOUT_MS,
      })
    // An idle connection the server closed (a restart) is dropped by the pool; without a
    // listener the pool's 'error' event would end the process.
    if (own) pool.on('error', () => logger.debug('a2a-postgres: an idle database connection closed'))
    // A checked-out connection has no pool listener: when the server goes away between a
    // query's failure and the connection's release (Kysely checks out one per query), its
    // 'error' event would end the process. The query already failed; this only notes it.
    pool.on('connect', (client) => client.on('error', () => logger.debug('a2a-postgres: a database connection closed')))
    this.#pool = pool
    try {
      await pool.query('SELECT 1')
      if (this.#config.migrate) {
        const created = await migrate(pool)
        if (created.length > 0) logger.info(`a2a-postgres: created table(s) ${created.join(', ')}`)
      } else {
        const missing = await missingTables(pool)
        if (missing.length > 0) throw new Error(`table(s) ${missing.join(', ')} missing; create them or pass migrate: true`)
      }
      const onError = (error: unknown): void => logger.warn(`a2a-postgres: ${this.#withoutPassword(describeError(error))}`)
      const events = new EventLog(pool, onError)
      const leases = new Leases(pool, this.replica, this.#config.leaseMs, {
        onCancelRequested: (key) => this.#cancelHere(key.taskId),
        onLapsed: (key) => this.#failLapsed(key),
        onBeat: () => events.prune(),
        onError,
      })
      const listener = new Listener(
        this.#listenConfig(pool),
        CHANNEL,
        { onMessage: (p) => this.#onMessage(p), onGap: () => this.#onGap() },
        logger,
      )
      this.#parts = { events, leases, remote: new RemoteTasks(this.store, events, leases, this.#wakeups), listener }
      await listener.start()
      leases.start()
    } catch (error) {
      this.#parts?.leases.stop()
      await this.#parts?.listener.stop()
      if (own) await pool.end().catch(() => undefined)
      throw new Error(`postgresTasks: PostgreSQL at ${databaseTarget(this.#config)}: ${this.#withoutPassword(describeError(error))}`)
    }
  }

  async stop(): Promise<void> {
    const parts = this.#parts
    if (parts === null) return
    parts.leases.stop()
    await Promise.allSettled(this.#settling)
    await parts.listener.stop()
    // Kysely ends the pool it was given; a pool of the caller's is the caller's to end.
    if (this.#config.pool === null) await this.#db.destroy()
  }

  async executing(execution: LocalExecution): Promise<() => void> {
    const { events, leases } = this.#started()
    const key = keyOf(execution.context, execution.taskId)
    // The lease first: once the task is visible to others, a cancel can find where it runs.
    await guarded(() => leases.acquire(key))
    const running: Running = { key, execution, cancelled: false }
    this.#running.set(execution.taskId, running)
    const relay = (event: AgentExecutionEvent): void => {
      const response = toStreamResponse(event)
      if (response !== null) events.append(key, response)
    }
    execution.bus.on('event', relay)
    return () => {
      execution.bus.off('event', relay)
      if (this.#running.get(execution.taskId) === running) this.#running.delete(execution.taskId)
      // The lease goes after the last event is written, so a subscriber sees the end first.
      const settle = events
        .flushed(key)
        .then(() => leases.release(key))
        .catch((error: unknown) => this.#logger.warn(`a2a-postgres: releasing a lease: ${this.#withoutPassword(describeError(error))}`))
      this.#settling.add(settle)
      void settle.then(() => this.#settling.delete(settle))
    }
  }

  cancel(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return this.#started().remote.cancel(taskId, context)
  }

  subscribe(taskId: string, context: ServerCallContext): Promise<AsyncGenerator<StreamResponse, void, undefined> | undefined> {
    return this.#started().remote.subscribe(taskId, context)
  }

  #started(): Parts & { pool: pg.Pool } {
    if (this.#pool === null || this.#parts === null) {
      throw new ServiceUnavailableError('the task database is not open yet (the app has not started)', RETRY_AFTER_SECONDS)
    }
    return { pool: this.#pool, ...this.#parts }
  }

  #onMessage(payload: string): void {
    let message: { e?: unknown; c?: unknown; r?: unknown }
    try {
      message = JSON.parse(payload) as typeof message
    } catch {
      return
    }
    if (typeof message.e === 'string') this.#wakeups.wake(message.e)
    else if (typeof message.c === 'string' && message.r === this.replica) this.#cancelHere(message.c)
  }

  /** Notifications may have been lost: readers re-read, and the heartbeat re-reads cancels. */
  #onGap(): void {
    this.#wakeups.wakeAll()
    void this.#parts?.leases.beat()
  }

  /** A cancel asked on another replica for a task running here: cancel it as a local CancelTask would. */
  #cancelHere(taskId: string): void {
    const running = this.#running.get(taskId)
    if (running === undefined || running.cancelled) return
    running.cancelled = true
    running.execution
      .cancel()
      .catch((error: unknown) =>
        this.#logger.warn(`a2a-postgres: cancelling task ${taskId}: ${this.#withoutPassword(describeError(error))}`),
      )
  }

  /** A replica stopped renewing its lease on this task: it failed, say so in the store and to subscribers. */
  async #failLapsed(key: TaskKey): Promise<void> {
    const context = new ServerCallContext({ tenant: key.tenant, user: { isAuthenticated: true, userName: key.owner } })
    const task = await this.store.load(key.taskId, context)
    if (task === undefined || isTerminal(task)) return
    const status = replicaStoppedStatus(task)
    await this.store.save({ ...task, status }, context)
    const { events } = this.#started()
    events.append(key, { payload: { $case: 'statusUpdate', value: { taskId: task.id, contextId: task.contextId, status, metadata: {} } } })
    await events.flushed(key)
    this.#logger.warn(`a2a-postgres: task ${task.id} failed: ${REPLICA_STOPPED} renewing its lease`)
  }

  #withoutPassword(message: string): string {
    return withoutPassword(this.#config, message)
  }

  #listenConfig(pool: pg.Pool): pg.ClientConfig {
    if (this.#config.connectionString !== null) {
      return { connectionString: this.#config.connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
    }
    return { ...pool.options }
  }
}
