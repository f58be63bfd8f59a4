// The default task store of a2aApp: in memory like the SDK's, but bounded in count, time and
// bytes. Finished tasks (completed, failed, canceled, rejected, and those waiting on the
// client: input or auth required) are kept at most `maxTasks`, at most `ttlMs` each, and while
// all tasks together stay under `maxBytes` (each task's history, artifacts, status and
// metadata, estimated as JSON), the oldest going first; a running task (submitted, working) is
// never evicted, since its executor still writes to it. Tasks are kept per tenant and owner
// (the SDK's user), as the SDK's store does; a list is one page, capped in tasks and bytes.
//
// Copies in and out are shallow (the task, its status, its lists, its artifacts): the SDK
// replaces what it changes rather than editing messages in place, so a deep clone of a
// megabyte history on every event would buy nothing.

import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk'
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server'
import { listPage } from './task-page.ts'
import { approximateBytes } from './task-size.ts'
import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import { readCount, readLimit } from '../sdk/http.ts'

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './task-page.ts'

interface Stored {
  task: Task
  owner: string
  bytes: number
}

const RUNNING = new Set<TaskState>([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING])

export interface BoundedTaskStoreOptions {
  /** Finished tasks kept at most. */
  maxTasks: number
  /** How long a finished task is kept. */
  ttlMs: number
  /** All tasks together, in estimated JSON bytes; past it the oldest finished go. Default 64 MiB. */
  maxBytes?: number
  /** One ListTasks page, in estimated JSON bytes (at least one task is sent). Default 1 MiB. */
  maxPageBytes?: number
}

export const DEFAULT_STORE_BYTES = 64 * 1024 * 1024
export const DEFAULT_PAGE_BYTES = 1024 * 1024
const OPTION_NAMES = optionNames<BoundedTaskStoreOptions>()(['maxTasks', 'ttlMs', 'maxBytes', 'maxPageBytes'])

/**
 * The task store a2aApp uses unless given one; exported to share one between apps or to
 * size it by hand.
 * @example a2aApp({ card, executor, taskStore: new BoundedTaskStore({ maxTasks: 500, ttlMs: 10 * 60_000, maxBytes: 16 * 1024 * 1024 }) })
 */
export class BoundedTaskStore implements TaskStore {
  readonly #maxTasks: number
  readonly #ttlMs: number
  readonly #maxBytes: number
  readonly #maxPageBytes: number
  readonly #tasks = new Map<string, Stored>()
  /** Keys of finished tasks with the time they finished, oldest first. */
  readonly #finished = new Map<string, number>()
  #bytes = 0

  constructor(options: BoundedTaskStoreOptions) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('BoundedTaskStore needs { maxTasks, ttlMs }')
    refuseUnknownOptions(options, OPTION_NAMES, 'BoundedTaskStore', (message) => {
      throw new InvalidArgumentError(message)
    })
    this.#maxTasks = readCount(options.maxTasks, 'BoundedTaskStore maxTasks', 10_000)
    this.#ttlMs = readCount(options.ttlMs, 'BoundedTaskStore ttlMs', 60 * 60 * 1000)
    this.#maxBytes = readLimit(options.maxBytes, 'BoundedTaskStore maxBytes', DEFAULT_STORE_BYTES)
    this.#maxPageBytes = readLimit(options.maxPageBytes, 'BoundedTaskStore maxPageBytes', DEFAULT_PAGE_BYTES)
  }

  /** Tasks held, running and finished. */
  get size(): number {
    return this.#tasks.size
  }

  /** Estimated JSON bytes of every task held. */
  get bytes(): number {
    return this.#bytes
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const owner = ownerOf(context)
    const key = keyOf(owner, task.id)
    const copy = detached(task)
    const bytes = approximateBytes(copy)
    this.#bytes += bytes - (this.#tasks.get(key)?.bytes ?? 0)
    this.#tasks.set(key, { task: copy, owner, bytes })
    // Re-inserted, so the order of #finished stays the order of finishing.
    this.#finished.delete(key)
    if (!RUNNING.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)) this.#finished.set(key, Date.now())
    this.#evict()
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    this.#evict()
    const stored = this.#tasks.get(keyOf(ownerOf(context), taskId))
    return stored === undefined ? undefined : detached(stored.task)
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    this.#evict()
    const owner = ownerOf(context)
    return listPage(this.#ownedBy(owner), params, this.#maxPageBytes)
  }

  *#ownedBy(owner: string): Iterable<Task> {
    for (const stored of this.#tasks.values()) if (stored.owner === owner) yield stored.task
  }

  /** Drops finished tasks past their time, then the oldest while over the count or the bytes. */
  #evict(): void {
    const expired = Date.now() - this.#ttlMs
    for (const [key, finishedAt] of this.#finished) {
      if (finishedAt > expired && this.#finished.size <= this.#maxTasks && this.#bytes <= this.#maxBytes) break
      this.#finished.delete(key)
      this.#bytes -= this.#tasks.get(key)?.bytes ?? 0
      this.#tasks.delete(key)
    }
  }
}

/** A copy that shares messages and parts but none of the containers the SDK edits in place. */
function detached(task: Task): Task {
  return {
    ...task,
    status: task.status === undefined ? undefined : { ...task.status },
    history: [...(task.history ?? [])],
    artifacts: (task.artifacts ?? []).map((artifact) => ({ ...artifact, parts: [...(artifact.parts ?? [])] })),
    metadata: task.metadata === undefined ? undefined : { ...task.metadata },
  }
}

function ownerOf(context: ServerCallContext): string {
  return `${context.tenant ?? ''}\u0000${resolveUserScope(context)}`
}

function keyOf(owner: string, taskId: string): string {
  return `${owner}\u0000${taskId}`
}
