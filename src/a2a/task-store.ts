// The default task store of a2aApp: in memory like the SDK's, but bounded. Finished tasks
// (completed, failed, canceled, rejected, and those waiting on the client: input or auth
// required) are kept at most `maxTasks` and at most `ttlMs` each, the oldest going first;
// a running task (submitted, working) is never evicted, since its executor still writes to
// it. Tasks are kept per tenant and owner (the SDK's user), as the SDK's store does, and a
// list never returns more than one page.

import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk'
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server'

interface Stored {
  task: Task
  owner: string
}

/** A page when the caller names none, and the most one list returns. */
export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100

const RUNNING = new Set<TaskState>([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING])

export interface BoundedTaskStoreOptions {
  maxTasks: number
  ttlMs: number
}

/**
 * The task store a2aApp uses unless given one; exported to share one between apps or to
 * size it by hand.
 * @example a2aApp({ card, executor, taskStore: new BoundedTaskStore({ maxTasks: 500, ttlMs: 10 * 60_000 }) })
 */
export class BoundedTaskStore implements TaskStore {
  readonly #options: BoundedTaskStoreOptions
  readonly #tasks = new Map<string, Stored>()
  /** Keys of finished tasks with the time they finished, oldest first. */
  readonly #finished = new Map<string, number>()

  constructor(options: BoundedTaskStoreOptions) {
    this.#options = options
  }

  /** Tasks held, running and finished. */
  get size(): number {
    return this.#tasks.size
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    this.saveAs(ownerOf(context), task)
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return this.loadAs(ownerOf(context), taskId)
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.listAs(ownerOf(context), params)
  }

  /** save() for a caller known by its owner key (ownerOf()): the primary's store of a cluster is called so. */
  saveAs(owner: string, task: Task): void {
    const key = keyOf(owner, task.id)
    this.#tasks.set(key, { task: structuredClone(task), owner })
    // Re-inserted, so the order of #finished stays the order of finishing.
    this.#finished.delete(key)
    if (!RUNNING.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)) this.#finished.set(key, Date.now())
    this.#evict()
  }

  loadAs(owner: string, taskId: string): Task | undefined {
    this.#evict()
    const stored = this.#tasks.get(keyOf(owner, taskId))
    return stored === undefined ? undefined : structuredClone(stored.task)
  }

  listAs(owner: string, params: ListTasksRequest): ListTasksResponse {
    this.#evict()
    const after = params.statusTimestampAfter ? Date.parse(params.statusTimestampAfter) : Number.NaN
    const matching: Task[] = []
    for (const stored of this.#tasks.values()) {
      const task = stored.task
      if (stored.owner !== owner) continue
      if (params.contextId && task.contextId !== params.contextId) continue
      if (params.status && task.status?.state !== params.status) continue
      if (!Number.isNaN(after) && !(Date.parse(task.status?.timestamp ?? '') > after)) continue
      matching.push(task)
    }
    matching.sort(newestFirst)
    const pageSize = Math.min(Math.max(params.pageSize || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    let start = 0
    if (params.pageToken) {
      const cursor = matching.findIndex((task) => cursorOf(task) === params.pageToken)
      start = cursor === -1 ? matching.length : cursor + 1
    }
    const page = matching.slice(start, start + pageSize)
    const more = start + page.length < matching.length
    return {
      tasks: page.map((task) => {
        const copy = structuredClone(task)
        if (params.includeArtifacts !== true) copy.artifacts = []
        return copy
      }),
      nextPageToken: more && page.length > 0 ? cursorOf(page[page.length - 1]!) : '',
      pageSize,
      totalSize: matching.length,
    }
  }

  /** Drops finished tasks past their time, then the oldest past the cap. */
  #evict(): void {
    const expired = Date.now() - this.#options.ttlMs
    for (const [key, finishedAt] of this.#finished) {
      if (finishedAt > expired && this.#finished.size <= this.#options.maxTasks) break
      this.#finished.delete(key)
      this.#tasks.delete(key)
    }
  }
}

/** Whose tasks these are: the tenant and the SDK's user scope, as one key. */
export function ownerOf(context: ServerCallContext): string {
  return `${context.tenant ?? ''}\u0000${resolveUserScope(context)}`
}

function keyOf(owner: string, taskId: string): string {
  return `${owner}\u0000${taskId}`
}

function newestFirst(a: Task, b: Task): number {
  const byTime = (b.status?.timestamp ?? '').localeCompare(a.status?.timestamp ?? '')
  return byTime !== 0 ? byTime : b.id.localeCompare(a.id)
}

/** An opaque page token: where the previous page ended. */
function cursorOf(task: Task): string {
  return Buffer.from(`${task.status?.timestamp ?? ''}|${task.id}`).toString('base64url')
}
