// CancelTask and SubscribeToTask for a task that runs on another replica. Both read that
// replica's events from the event table: a subscriber streams them, a cancel waits for the
// terminal one. A task that runs nowhere (no live lease) is declined, and the SDK answers
// for it as for any stored task.

import { TaskState, type StreamResponse, type Task } from '@a2a-js/sdk'
import { TaskNotCancelableError } from '@a2a-js/sdk/errors'
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server'
import type { EventLog, TaskKey } from './events.ts'
import type { Leases } from './leases.ts'
import { guarded } from './unavailable.ts'
import type { Wakeups } from './wakeups.ts'

/** A reader with nothing new re-reads after this long even without a notification. */
const IDLE_READ_MS = 1_000
/** How long a cancel waits for the replica running the task to end it. */
const CANCEL_WAIT_MS = 10_000
/** How long a cancel's answer waits for the runner's store write to follow its event. */
const STORE_SETTLE_MS = 2_000

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
])

/** Where the SDK's own event queue stops a stream: a message, a terminal state, input required. */
export function endsStream(response: StreamResponse): boolean {
  const payload = response.payload
  if (payload?.$case === 'message') return true
  if (payload?.$case !== 'statusUpdate') return false
  const state = payload.value.status?.state
  return state !== undefined && (TERMINAL.has(state) || state === TaskState.TASK_STATE_INPUT_REQUIRED)
}

export function isTerminal(task: Task): boolean {
  return TERMINAL.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)
}

/** The key a task has in every table: the SDK's tenant and owner scoping, and its id. */
export function keyOf(context: ServerCallContext, taskId: string): TaskKey {
  return { tenant: context.tenant ?? '', owner: resolveUserScope(context), taskId }
}

export class RemoteTasks {
  readonly #store: TaskStore
  readonly #events: EventLog
  readonly #leases: Leases
  readonly #wakeups: Wakeups

  constructor(store: TaskStore, events: EventLog, leases: Leases, wakeups: Wakeups) {
    this.#store = store
    this.#events = events
    this.#leases = leases
    this.#wakeups = wakeups
  }

  async cancel(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const key = keyOf(context, taskId)
    const task = await this.#store.load(taskId, context)
    if (task === undefined || isTerminal(task)) return undefined
    const wait = this.#wakeups.watch(taskId)
    try {
      let cursor = await guarded(() => this.#events.latest(key))
      if (!(await guarded(() => this.#leases.requestCancel(key)))) return undefined
      const deadline = Date.now() + CANCEL_WAIT_MS
      while (Date.now() < deadline) {
        const events = await guarded(() => this.#events.after(key, cursor))
        for (const { seq, response } of events) {
          cursor = seq
          const payload = response.payload
          if (payload?.$case !== 'statusUpdate' || !TERMINAL.has(payload.value.status?.state as TaskState)) continue
          if (payload.value.status?.state !== TaskState.TASK_STATE_CANCELED) break
          return this.#storedCanceled(taskId, context, task, payload.value.status)
        }
        const stored = await this.#store.load(taskId, context)
        if (stored !== undefined && isTerminal(stored)) {
          if (stored.status?.state === TaskState.TASK_STATE_CANCELED) return stored
          break
        }
        await wait.next(Math.min(IDLE_READ_MS, Math.max(deadline - Date.now(), 0)))
      }
      throw new TaskNotCancelableError(`Task not cancelable: ${taskId}`)
    } finally {
      wait.close()
    }
  }

  /**
   * The runner saves the task a moment after it writes the event; the answer waits for the
   * save (briefly), so a GetTask after it agrees. Should the save not come, the event's status.
   */
  async #storedCanceled(taskId: string, context: ServerCallContext, task: Task, status: Task['status']): Promise<Task> {
    const deadline = Date.now() + STORE_SETTLE_MS
    for (;;) {
      const stored = await this.#store.load(taskId, context)
      if (stored?.status?.state === TaskState.TASK_STATE_CANCELED) return stored
      if (Date.now() > deadline) return { ...(stored ?? task), status }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async subscribe(taskId: string, context: ServerCallContext): Promise<AsyncGenerator<StreamResponse, void, undefined> | undefined> {
    const key = keyOf(context, taskId)
    if (!(await guarded(() => this.#leases.held(key)))) return undefined
    const cursor = await guarded(() => this.#events.latest(key))
    const task = await this.#store.load(taskId, context)
    if (task === undefined || isTerminal(task)) return undefined
    return this.#follow(key, cursor, task)
  }

  /** The snapshot, then every event after `cursor` until one ends the stream or the lease goes. */
  async *#follow(key: TaskKey, from: number, task: Task): AsyncGenerator<StreamResponse, void, undefined> {
    const wait = this.#wakeups.watch(key.taskId)
    let cursor = from
    try {
      yield { payload: { $case: 'task', value: task } }
      for (;;) {
        const events = await guarded(() => this.#events.after(key, cursor))
        for (const { seq, response } of events) {
          cursor = seq
          yield response
          if (endsStream(response)) return
        }
        if (events.length > 0) continue
        // Nothing new: the execution may have ended without an event that ends streams (or its
        // replica died and a survivor failed it, which writes one). A last read, then stop.
        if (!(await guarded(() => this.#leases.held(key)))) {
          for (const { response } of await guarded(() => this.#events.after(key, cursor))) yield response
          return
        }
        await wait.next(IDLE_READ_MS)
      }
    } finally {
      wait.close()
    }
  }
}
