// The primary's half of A2A on several workers: the finished tasks of the default store live
// here, where no one worker's death takes them (a reload replaces every worker; a crash takes
// one), and a table of which worker runs which task routes CancelTask and SubscribeToTask to
// it. A worker that exits leaves its running tasks FAILED at once: the primary sees the exit.
// Registered when this module loads, since the primary runs the same script but holds no app.

import cluster from 'node:cluster'
import { Role, TaskState, type Task } from '@a2a-js/sdk'

import { callWorker, connectedWorkers, notifyWorker, providePrimaryService } from '../cluster/hub.ts'
import {
  A2A_SERVICE,
  WORKER_DIED,
  type CallerScope,
  type Outcome,
  type PrimaryCall,
  type PrimaryNote,
  type StoreLimits,
  type WorkerCall,
  type WorkerNote,
} from './cluster-wire.ts'
import { BoundedTaskStore } from './task-store.ts'

interface Claim {
  worker: number
  owner: string
  scope: CallerScope
  primaryStore: boolean
}

const RUNNING = new Set<TaskState | undefined>([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING])

export class PrimaryTasks {
  readonly #stores = new Map<string, BoundedTaskStore>()
  /** By `ns \0 taskId`: the worker running each task. */
  readonly #claims = new Map<string, Claim>()
  /** Relayed subscriptions: who watches, and who runs the task. */
  readonly #streams = new Map<string, { subscriber: number; runner: number }>()

  store(ns: string, limits: StoreLimits): BoundedTaskStore {
    let store = this.#stores.get(ns)
    if (store === undefined) {
      store = new BoundedTaskStore(limits)
      this.#stores.set(ns, store)
    }
    return store
  }

  async call(from: number, body: WorkerCall): Promise<unknown> {
    switch (body.op) {
      case 'save':
        return this.store(body.ns, body.limits).saveAs(body.owner, body.task)
      case 'load':
        return this.store(body.ns, body.limits).loadAs(body.owner, body.taskId)
      case 'list':
        return this.store(body.ns, body.limits).listAs(body.owner, body.params)
      case 'cancel':
        return this.#atRunner(body, null)
      case 'subscribe':
        return this.#atRunner(body, from)
    }
  }

  notify(from: number, body: WorkerNote): void {
    switch (body.op) {
      case 'claim':
        this.#claims.set(claimKey(body.ns, body.taskId), {
          worker: from,
          owner: body.owner,
          scope: body.scope,
          primaryStore: body.primaryStore,
        })
        return
      case 'release': {
        const key = claimKey(body.ns, body.taskId)
        if (this.#claims.get(key)?.worker === from) this.#claims.delete(key)
        return
      }
      case 'event':
      case 'end': {
        const stream = this.#streams.get(body.stream)
        if (stream === undefined || stream.runner !== from) return
        if (body.op === 'end') this.#streams.delete(body.stream)
        notifyWorker(stream.subscriber, A2A_SERVICE, body satisfies PrimaryNote)
        return
      }
      case 'unsubscribe': {
        const stream = this.#streams.get(body.stream)
        if (stream === undefined || stream.subscriber !== from) return
        this.#streams.delete(body.stream)
        notifyWorker(stream.runner, A2A_SERVICE, body satisfies PrimaryNote)
      }
    }
  }

  /** Worker `id` is gone: its running tasks fail now, and the streams through it end. */
  exited(id: number): void {
    for (const [key, claim] of this.#claims) {
      if (claim.worker !== id) continue
      this.#claims.delete(key)
      const [ns, taskId] = splitKey(key)
      if (claim.primaryStore) this.#fail(ns, claim.owner, taskId)
      else {
        // The user's store (PostgreSQL, say) is out of the primary's reach: a live worker writes it.
        const heir = connectedWorkers()[0]
        if (heir !== undefined) notifyWorker(heir, A2A_SERVICE, { op: 'orphaned', ns, taskId, scope: claim.scope } satisfies PrimaryNote)
      }
    }
    for (const [name, stream] of this.#streams) {
      if (stream.runner === id) {
        this.#streams.delete(name)
        notifyWorker(stream.subscriber, A2A_SERVICE, {
          op: 'end',
          stream: name,
          error: { name: 'A2AError', message: WORKER_DIED },
        } satisfies PrimaryNote)
      } else if (stream.subscriber === id) {
        this.#streams.delete(name)
        notifyWorker(stream.runner, A2A_SERVICE, { op: 'unsubscribe', stream: name } satisfies PrimaryNote)
      }
    }
  }

  /** Hands a cancel or a subscription to the worker running the task, if one does. */
  async #atRunner(body: Extract<WorkerCall, { op: 'cancel' | 'subscribe' }>, subscriber: number | null): Promise<Outcome> {
    const claim = this.#claims.get(claimKey(body.ns, body.taskId))
    // Another caller's task is, to this one, no task at all.
    if (claim === undefined || claim.owner !== body.owner) return { kind: 'not-running' }
    if (body.op === 'subscribe') this.#streams.set(body.stream, { subscriber: subscriber!, runner: claim.worker })
    try {
      return (await callWorker(claim.worker, A2A_SERVICE, body satisfies PrimaryCall)) as Outcome
    } catch {
      if (body.op === 'subscribe') this.#streams.delete(body.stream)
      // It died while asked: exited() has marked the task; the asking worker reads the store.
      return { kind: 'not-running' }
    }
  }

  #fail(ns: string, owner: string, taskId: string): void {
    const store = this.#stores.get(ns)
    const task = store?.loadAs(owner, taskId)
    if (store === undefined || task === undefined || !RUNNING.has(task.status?.state)) return
    store.saveAs(owner, failed(task))
  }
}

/** The task as it ends when its worker died: FAILED, saying why, now. */
export function failed(task: Task): Task {
  return {
    ...task,
    status: {
      state: TaskState.TASK_STATE_FAILED,
      timestamp: new Date().toISOString(),
      message: {
        messageId: crypto.randomUUID(),
        contextId: task.contextId,
        taskId: task.id,
        role: Role.ROLE_AGENT,
        parts: [{ content: { $case: 'text', value: WORKER_DIED }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
        metadata: {},
        extensions: [],
        referenceTaskIds: [],
      },
    },
  }
}

function claimKey(ns: string, taskId: string): string {
  return `${ns}\u0000${taskId}`
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\u0000')
  return [key.slice(0, at), key.slice(at + 1)]
}

if (cluster.isPrimary) {
  const tasks = new PrimaryTasks()
  providePrimaryService(A2A_SERVICE, {
    call: (from, body) => tasks.call(from, body as WorkerCall),
    notify: (from, body) => tasks.notify(from, body as WorkerNote),
    exited: (id) => tasks.exited(id),
  })
}
