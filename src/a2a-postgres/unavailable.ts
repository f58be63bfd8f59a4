// Telling "the database cannot be reached right now" apart from every other failure: the
// first is worth a 503 with Retry-After (the client may try again, the app recovers by
// itself when the server is back), the rest are internal errors. node-postgres reports a lost
// or refused connection as a socket error code, a PostgreSQL class 08 (connection exception)
// or 57P0x (the server is shutting down or starting) SQLSTATE, or a plain message when the
// socket ended under a query or the pool waited too long for a connection.

import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk'
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server'
import { ServiceUnavailableError } from '../protocol/errors.ts'

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /connection timeout/i,
]

/** Seconds a client is told to wait: a restart of the database takes about that long. */
export const RETRY_AFTER_SECONDS = 1

/** Whether `error` says the database is unreachable (as opposed to a bad query or bad data). */
export function isConnectionError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true
  }
  if (error instanceof AggregateError) return error.errors.some(isConnectionError)
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))
}

/** `error` as a ServiceUnavailableError when it is a connection failure, else itself. */
export function asUnavailable(error: unknown): unknown {
  if (!isConnectionError(error)) return error
  return new ServiceUnavailableError('the task database cannot be reached; try again shortly', RETRY_AFTER_SECONDS, { cause: error })
}

/** Runs `work`, turning a lost database into ServiceUnavailableError. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw asUnavailable(error)
  }
}

/** A task store whose connection failures are ServiceUnavailableError (answered 503 by a2aApp). */
export class GuardedTaskStore implements TaskStore {
  readonly #inner: TaskStore

  constructor(inner: TaskStore) {
    this.#inner = inner
  }

  save(task: Task, context: ServerCallContext): Promise<void> {
    return guarded(() => this.#inner.save(task, context))
  }

  load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return guarded(() => this.#inner.load(taskId, context))
  }

  list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return guarded(() => this.#inner.list(params, context))
  }
}
