// A worker's A2A under serve({ workers }): each execution is filed with the primary, and a
// CancelTask or SubscribeToTask for a task this worker does not run goes, through the primary,
// to the worker that does. The SDK alone would answer both wrongly here: its cancel writes
// CANCELED to the store while the executor elsewhere runs on, and its subscribe yields a
// snapshot and closes, since its event buses are local to one process.

import { randomUUID } from 'node:crypto'
import { TaskState, type StreamResponse, type Task } from '@a2a-js/sdk'
import { A2AError, TaskNotCancelableError, TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors'
import {
  resolveUserScope,
  UnauthenticatedUser,
  type DefaultRequestHandler,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server'

import { answerPrimary, callPrimary, notifyPrimary } from '../cluster/link.ts'
import {
  A2A_SERVICE,
  type CallerScope,
  type Outcome,
  type PrimaryCall,
  type PrimaryNote,
  type RemoteError,
  type WorkerCall,
} from './cluster-wire.ts'
import { failed } from './primary-tasks.ts'
import { ownerOf } from './task-store.ts'
import type { RunningTasks } from './tasks.ts'

type Handler = DefaultRequestHandler
type StreamEvent = StreamResponse

/** Events a relayed subscription holds for a reader slower than the task; past it the stream ends. */
const MAX_QUEUED_EVENTS = 1_000

interface Local {
  handler: Handler
  tasks: RunningTasks
  store: TaskStore
}

/** This process's apps by namespace, and the subscriptions it relays in either direction. */
const locals = new Map<string, Local>()
const watching = new Map<string, EventQueue>()
const feeding = new Map<string, AsyncGenerator<StreamEvent>>()
let answering = false

export interface ClusterA2a {
  /** The request handler to give the transport: the SDK's, routed. */
  routed: Handler
}

/** Joins one a2aApp to the cluster; `ns` names it the same in every process. */
export function joinCluster(ns: string, handler: Handler, tasks: RunningTasks, store: TaskStore, primaryStore: boolean): ClusterA2a {
  locals.set(ns, { handler, tasks, store })
  if (!answering) {
    answering = true
    answerPrimary(A2A_SERVICE, { call: (body) => atRunner(body as PrimaryCall), notify: (body) => onNote(body as PrimaryNote) })
  }
  tasks.observer = {
    started: (taskId, context) =>
      notifyPrimary(A2A_SERVICE, { op: 'claim', ns, taskId, owner: ownerOf(context), scope: scopeOf(context), primaryStore }),
    ended: (taskId) => notifyPrimary(A2A_SERVICE, { op: 'release', ns, taskId }),
  }
  const routed = new Proxy(handler, {
    get(target, property) {
      if (property === 'cancelTask')
        return (params: Parameters<Handler['cancelTask']>[0], context: ServerCallContext) => cancel(ns, params, context)
      if (property === 'resubscribe')
        return (params: Parameters<Handler['resubscribe']>[0], context: ServerCallContext) => subscribe(ns, params, context)
      // Bound to the handler itself: its methods read #private fields, which a proxy does not have.
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { routed }
}

async function cancel(ns: string, params: Parameters<Handler['cancelTask']>[0], context: ServerCallContext): Promise<Task> {
  const local = locals.get(ns)!
  if (local.tasks.contextOf(params.id) !== undefined) return local.handler.cancelTask(params, context)
  const outcome = (await callPrimary(A2A_SERVICE, {
    op: 'cancel',
    ns,
    owner: ownerOf(context),
    taskId: params.id,
  } satisfies WorkerCall)) as Outcome
  if (outcome.kind === 'task') return outcome.task
  if (outcome.kind === 'error') throw rebuild(outcome.error)
  // No worker runs it: the store's answer is the whole truth, as on one process.
  return local.handler.cancelTask(params, context)
}

async function* subscribe(
  ns: string,
  params: Parameters<Handler['resubscribe']>[0],
  context: ServerCallContext,
): AsyncGenerator<StreamEvent> {
  const local = locals.get(ns)!
  if (local.tasks.contextOf(params.id) !== undefined) return yield* local.handler.resubscribe(params, context)
  const stream = randomUUID()
  const queue = new EventQueue()
  watching.set(stream, queue)
  try {
    const body = { op: 'subscribe', ns, owner: ownerOf(context), taskId: params.id, stream } satisfies WorkerCall
    const outcome = (await callPrimary(A2A_SERVICE, body)) as Outcome
    if (outcome.kind === 'error') {
      queue.ended = true
      throw rebuild(outcome.error)
    }
    if (outcome.kind !== 'subscribed') {
      queue.ended = true
      return yield* local.handler.resubscribe(params, context)
    }
    yield* queue.drain()
  } finally {
    watching.delete(stream)
    // The client left first: the worker running the task stops feeding this stream.
    if (!queue.ended) notifyPrimary(A2A_SERVICE, { op: 'unsubscribe', stream })
  }
}

/** The running worker's side: the primary hands it a cancel or a subscription for one of its tasks. */
async function atRunner(body: PrimaryCall): Promise<Outcome> {
  const local = locals.get(body.ns)
  const context = local?.tasks.contextOf(body.taskId)
  if (local === undefined || context === undefined || ownerOf(context) !== body.owner) return { kind: 'not-running' }
  try {
    if (body.op === 'cancel')
      return {
        kind: 'task',
        task: await local.handler.cancelTask({ tenant: context.tenant ?? '', id: body.taskId, metadata: {} }, context),
      }
    const events = local.handler.resubscribe({ tenant: context.tenant ?? '', id: body.taskId }, context)
    feeding.set(body.stream, events)
    void feed(body.stream, events)
    return { kind: 'subscribed' }
  } catch (error) {
    return { kind: 'error', error: remote(error) }
  }
}

async function feed(stream: string, events: AsyncGenerator<StreamEvent>): Promise<void> {
  let error: RemoteError | undefined
  try {
    for await (const event of events) {
      if (!feeding.has(stream)) break
      notifyPrimary(A2A_SERVICE, { op: 'event', stream, event })
    }
  } catch (caught) {
    error = remote(caught)
  } finally {
    if (feeding.delete(stream)) notifyPrimary(A2A_SERVICE, error === undefined ? { op: 'end', stream } : { op: 'end', stream, error })
  }
}

function onNote(note: PrimaryNote): void {
  switch (note.op) {
    case 'event':
      watching.get(note.stream)?.push(note.event as StreamEvent)
      return
    case 'end':
      watching.get(note.stream)?.end(note.error)
      return
    case 'unsubscribe': {
      const events = feeding.get(note.stream)
      feeding.delete(note.stream)
      void events?.return(undefined).catch(() => undefined)
      return
    }
    case 'orphaned':
      void markOrphan(note.ns, note.taskId, note.scope)
  }
}

/** The user's own store holds a task whose worker died: this worker writes it FAILED there. */
async function markOrphan(ns: string, taskId: string, scope: CallerScope): Promise<void> {
  const local = locals.get(ns)
  if (local === undefined) return
  const context = contextFor(scope)
  const task = await local.store.load(taskId, context).catch(() => undefined)
  const state = task?.status?.state
  if (task === undefined || (state !== TaskState.TASK_STATE_SUBMITTED && state !== TaskState.TASK_STATE_WORKING)) return
  await local.store.save(failed(task), context).catch(() => undefined)
}

function scopeOf(context: ServerCallContext): CallerScope {
  return { tenant: context.tenant ?? '', user: resolveUserScope(context) }
}

/** A call context standing for the caller whose task it is (what a store keys it by). */
function contextFor(scope: CallerScope): ServerCallContext {
  const user = new UnauthenticatedUser()
  Object.defineProperty(user, 'userName', { value: scope.user })
  return { tenant: scope.tenant, user, state: new Map() } as unknown as ServerCallContext
}

function remote(error: unknown): RemoteError {
  return { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) }
}

/** The SDK's error class back from its name, so the JSON-RPC code is what one process would send. */
function rebuild(error: RemoteError): Error {
  switch (error.name) {
    case 'TaskNotFoundError':
      return new TaskNotFoundError(error.message)
    case 'TaskNotCancelableError':
      return new TaskNotCancelableError(error.message)
    case 'UnsupportedOperationError':
      return new UnsupportedOperationError(error.message)
    default:
      return new A2AError(error.message)
  }
}

/** A relayed subscription's events, waiting for their reader; bounded, since the feeder does not wait. */
class EventQueue {
  ended = false
  #events: StreamEvent[] = []
  #error: RemoteError | undefined
  #wake: (() => void) | null = null

  push(event: StreamEvent): void {
    if (this.ended) return
    if (this.#events.length >= MAX_QUEUED_EVENTS) {
      this.end({ name: 'A2AError', message: 'the subscriber fell too far behind' })
      return
    }
    this.#events.push(event)
    this.#wake?.()
  }

  end(error?: RemoteError): void {
    this.ended = true
    this.#error = error
    this.#wake?.()
  }

  async *drain(): AsyncGenerator<StreamEvent> {
    for (;;) {
      const event = this.#events.shift()
      if (event !== undefined) {
        yield event
        continue
      }
      if (this.ended) {
        if (this.#error !== undefined) throw rebuild(this.#error)
        return
      }
      await new Promise<void>((resolve) => (this.#wake = resolve))
      this.#wake = null
    }
  }
}
