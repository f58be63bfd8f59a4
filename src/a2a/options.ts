// a2aApp's options and their checks, made once when the app is built.

import type { AgentExecutor, TaskStore } from '@a2a-js/sdk/server'
import type { AgentCardInput, PublicUrl } from './card.ts'
import { isSharedTasks, type SharedTasks } from './shared-tasks.ts'
import { DEFAULT_PAGE_BYTES, DEFAULT_STORE_BYTES } from './task-store.ts'
import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { Logger } from '../protocol/types.ts'
import { readAuth, type AuthOptions } from '../sdk/auth.ts'
import { readCors, type CorsOptions, type CorsPolicy } from '../sdk/cors.ts'
import { readCount, readLimit } from '../sdk/http.ts'

export interface A2aAppOptions {
  /** The agent card; `name` and `description` are required, the rest has defaults. */
  card: AgentCardInput
  executor: AgentExecutor
  /** Default: a bounded in-memory store (see `maxTasks`, `taskTtlMs`, `maxStoreBytes`, `maxPageBytes`). A store of yours replaces it. */
  taskStore?: TaskStore
  /**
   * Tasks shared with other processes, with cancel and subscribe reaching the process that runs
   * the task: `postgresTasks()` from tsgi/a2a-postgres. Replaces `taskStore`.
   */
  tasks?: SharedTasks
  /** Finished tasks the default store keeps at most, oldest evicted first. Default 10 000. */
  maxTasks?: number
  /** How long the default store keeps a finished task. Default 1 hour. Running tasks stay. */
  taskTtlMs?: number
  /**
   * The default store's budget in bytes (every task's history, artifacts, status and metadata,
   * estimated as JSON): past it the oldest finished tasks go. Default 64 MiB.
   */
  maxStoreBytes?: number
  /** One ListTasks page of the default store, in bytes; a smaller page and a nextPageToken past it. Default 1 MiB. */
  maxPageBytes?: number
  /** A SendMessage whose message is larger (as JSON) is refused with -32602. Default 1 MiB. */
  maxMessageBytes?: number
  /** A follow-up message that would take its task past this many bytes (as JSON) gets -32602. Default 8 MiB. */
  maxTaskBytes?: number
  /**
   * How long CancelTask waits for the executor to publish CANCELED; past it the task is marked
   * CANCELED, the executor's later events for it are dropped, and the client has its answer.
   * Default 3 000 ms.
   */
  cancelTimeoutMs?: number
  /**
   * The JSON-RPC endpoint's public URL for the card: a string, or a function of the request
   * scope (behind a proxy, say where clients call). Default: the Host header when
   * `allowedHosts` accepted it, else the address the request arrived on, plus rootPath.
   */
  publicUrl?: PublicUrl
  /** Host names (port ignored; IPv6 in brackets) this app answers; others get 403. Default: no check. */
  allowedHosts?: string[]
  /** A JSON-RPC body past this many bytes gets 413. Default 4 MiB. */
  maxBodyBytes?: number
  /** How long shutdown waits for cancelled tasks to return. Default 5 000 ms. */
  shutdownGraceMs?: number
  /** CORS for browser clients; off by default (no CORS headers at all). */
  cors?: CorsOptions
  /** Bearer-token auth; executors see the caller as the SDK's `context.user`. The card stays public. */
  auth?: AuthOptions
  /** Put a thrown error's text in the failed task's status (default false: "the agent failed"). */
  exposeErrors?: boolean
  /** Where internal errors are logged; default: the lifespan's logger, else console. */
  logger?: Logger
  /** Log internal errors' messages too (they may hold secrets). Default false. */
  logDetails?: boolean
}

/** Every name A2aAppOptions has: a2aApp() refuses any other. Add new options here. */
export const a2aOptionNames = optionNames<A2aAppOptions>()([
  'card',
  'executor',
  'taskStore',
  'tasks',
  'maxTasks',
  'taskTtlMs',
  'maxStoreBytes',
  'maxPageBytes',
  'maxMessageBytes',
  'maxTaskBytes',
  'cancelTimeoutMs',
  'publicUrl',
  'allowedHosts',
  'maxBodyBytes',
  'shutdownGraceMs',
  'cors',
  'auth',
  'exposeErrors',
  'logger',
  'logDetails',
])

export interface A2aConfig {
  graceMs: number
  maxBodyBytes: number
  maxTasks: number
  taskTtlMs: number
  maxStoreBytes: number
  maxPageBytes: number
  maxMessageBytes: number
  maxTaskBytes: number
  cancelTimeoutMs: number
  allowed: Set<string> | null
  cors: CorsPolicy | null
  auth: AuthOptions | null
}

/** The request headers A2A clients send, and the one they read back. */
const A2A_CORS = {
  methods: 'GET, POST, OPTIONS',
  allowHeaders: 'Content-Type, Accept, Authorization, A2A-Version, A2A-Extensions',
  exposeHeaders: 'A2A-Extensions, WWW-Authenticate',
}

export function readA2aOptions(options: A2aAppOptions): A2aConfig {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('a2aApp needs { card, executor }')
  refuseUnknownOptions(options, a2aOptionNames, 'a2aApp()', (message) => {
    throw new InvalidArgumentError(message)
  })
  const { card: input, executor } = options
  if (input === null || typeof input !== 'object' || typeof input.name !== 'string') {
    throw new InvalidArgumentError('a2aApp card must be an object with at least a name and a description')
  }
  if (
    executor === null ||
    typeof executor !== 'object' ||
    typeof executor.execute !== 'function' ||
    typeof executor.cancelTask !== 'function'
  ) {
    throw new InvalidArgumentError('a2aApp executor must be an AgentExecutor, with execute() and cancelTask()')
  }
  if (options.publicUrl !== undefined && typeof options.publicUrl !== 'string' && typeof options.publicUrl !== 'function') {
    throw new InvalidArgumentError(`a2aApp publicUrl must be a URL string or a function of the request, got ${typeof options.publicUrl}`)
  }
  if (options.allowedHosts !== undefined && !Array.isArray(options.allowedHosts)) {
    throw new InvalidArgumentError(`a2aApp allowedHosts must be an array of host names, got ${typeof options.allowedHosts}`)
  }
  if (options.tasks !== undefined) {
    if (!isSharedTasks(options.tasks)) {
      throw new InvalidArgumentError('a2aApp tasks must be shared tasks with a store, such as postgresTasks() from tsgi/a2a-postgres')
    }
    if (options.taskStore !== undefined) throw new InvalidArgumentError('a2aApp takes tasks or taskStore, not both')
  }
  return {
    graceMs: readLimit(options.shutdownGraceMs, 'a2aApp shutdownGraceMs', 5_000),
    maxBodyBytes: readLimit(options.maxBodyBytes, 'a2aApp maxBodyBytes', 4 * 1024 * 1024),
    maxTasks: readCount(options.maxTasks, 'a2aApp maxTasks', 10_000),
    taskTtlMs: readCount(options.taskTtlMs, 'a2aApp taskTtlMs', 60 * 60 * 1000),
    maxStoreBytes: readLimit(options.maxStoreBytes, 'a2aApp maxStoreBytes', DEFAULT_STORE_BYTES),
    maxPageBytes: readLimit(options.maxPageBytes, 'a2aApp maxPageBytes', DEFAULT_PAGE_BYTES),
    maxMessageBytes: readLimit(options.maxMessageBytes, 'a2aApp maxMessageBytes', 1024 * 1024),
    maxTaskBytes: readLimit(options.maxTaskBytes, 'a2aApp maxTaskBytes', 8 * 1024 * 1024),
    cancelTimeoutMs: readCount(options.cancelTimeoutMs, 'a2aApp cancelTimeoutMs', 3_000),
    allowed: options.allowedHosts === undefined ? null : new Set(options.allowedHosts),
    cors: readCors(options.cors, 'a2aApp', A2A_CORS),
    auth: readAuth(options.auth, 'a2aApp'),
  }
}
