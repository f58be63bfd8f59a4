// What A2A's workers and their primary say to each other (service 'tsgi.a2a'), as types. The
// primary keeps the finished tasks (the default store) and knows which worker runs which task;
// a CancelTask or SubscribeToTask that lands on another worker is routed to that one.

import type { ListTasksRequest, Task } from '@a2a-js/sdk'

import type { BoundedTaskStoreOptions } from './task-store.ts'

export const A2A_SERVICE = 'tsgi.a2a'

/** Whose task: the tenant and the SDK's user scope (what a store keys tasks by). */
export interface CallerScope {
  tenant: string
  user: string
}

/** The default store's bounds, as the worker read them from a2aApp()'s options. */
export type StoreLimits = BoundedTaskStoreOptions

/** Worker → primary, answered. `ns` names one a2aApp (the same script builds them in one order everywhere). */
export type WorkerCall =
  | { op: 'save'; ns: string; limits: StoreLimits; owner: string; task: Task }
  | { op: 'load'; ns: string; limits: StoreLimits; owner: string; taskId: string }
  | { op: 'list'; ns: string; limits: StoreLimits; owner: string; params: ListTasksRequest }
  | { op: 'cancel'; ns: string; owner: string; taskId: string }
  | { op: 'subscribe'; ns: string; owner: string; taskId: string; stream: string }

/** Worker → primary, one way. */
export type WorkerNote =
  /** This worker runs the task now; `primaryStore`: the task lives in the primary's store. */
  | { op: 'claim'; ns: string; taskId: string; owner: string; scope: CallerScope; primaryStore: boolean }
  | { op: 'release'; ns: string; taskId: string }
  /** The running worker's side of a relayed subscription: one event, or the end. */
  | { op: 'event'; stream: string; event: unknown }
  | { op: 'end'; stream: string; error?: RemoteError }
  /** The subscriber's side: its client left. */
  | { op: 'unsubscribe'; stream: string }

/** Primary → the worker running the task, answered. */
export type PrimaryCall = Extract<WorkerCall, { op: 'cancel' } | { op: 'subscribe' }>

/** Primary → a worker, one way. */
export type PrimaryNote =
  | Extract<WorkerNote, { op: 'event' } | { op: 'end' } | { op: 'unsubscribe' }>
  /** The worker running this task died and its store is the user's: write it FAILED there. */
  | { op: 'orphaned'; ns: string; taskId: string; scope: CallerScope }

/** An SDK error, by class name, rebuilt on the other side so that JSON-RPC maps it the same. */
export interface RemoteError {
  name: string
  message: string
}

export type Outcome =
  | { kind: 'task'; task: Task }
  | { kind: 'subscribed' }
  /** No worker runs it: the asking worker answers from the store, as one process would. */
  | { kind: 'not-running' }
  | { kind: 'error'; error: RemoteError }

export const WORKER_DIED = 'the worker running this task exited before it finished'
