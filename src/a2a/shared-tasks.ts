// The seam by which a2aApp keeps its tasks somewhere other processes see them (`tasks:`) and
// reaches a task that runs in another process. The SDK's request handler only knows the
// executions of its own process: CancelTask for a task running elsewhere would mark it
// CANCELED in the store while its executor runs on, and SubscribeToTask would end after the
// first snapshot. So the two calls are routed: a task running here goes to the SDK as before;
// any other is offered to the shared tasks first, which answer for it or decline (undefined),
// in which case the SDK handles it as a task that runs nowhere.

import type { StreamResponse, Task } from '@a2a-js/sdk'
import type { DefaultRequestHandler, ExecutionEventBus, ServerCallContext, TaskStore } from '@a2a-js/sdk/server'
import type { Logger } from '../protocol/types.ts'

/** One execution starting in this process, as the shared tasks see it. */
export interface LocalExecution {
  taskId: string
  /** The call context of the request that started it (tenant, user). */
  context: ServerCallContext
  /** Where the execution publishes its events. */
  bus: ExecutionEventBus
  /** Cancels it here, as a CancelTask sent to this process would. */
  cancel(): Promise<void>
}

/**
 * What `a2aApp({ tasks })` takes: a task store plus, optionally, what reaches tasks that run
 * in other processes. `postgresTasks()` (tsgi/a2a-postgres) is one.
 */
export interface SharedTasks {
  /** The store the SDK's request handler reads and writes. */
  readonly store: TaskStore
  /** At the app's lifespan startup (open pools, listen); a throw fails the startup. */
  start?(logger: Logger): Promise<void>
  /** At the app's shutdown, after its running tasks were cancelled. */
  stop?(): Promise<void>
  /**
   * An execution is about to start here; resolves, once the others can reach it, with what to
   * call when it has ended. A rejection fails the execution before it starts.
   */
  executing?(execution: LocalExecution): Promise<() => void>
  /** CancelTask for a task not running here: the canceled task, or undefined to let the SDK answer. */
  cancel?(taskId: string, context: ServerCallContext): Promise<Task | undefined>
  /** SubscribeToTask for a task not running here: its events, or undefined to let the SDK answer. */
  subscribe?(taskId: string, context: ServerCallContext): Promise<AsyncGenerator<StreamResponse, void, undefined> | undefined>
}

/** Whether `value` can be a2aApp's `tasks:` (a store, at least). */
export function isSharedTasks(value: unknown): value is SharedTasks {
  if (value === null || typeof value !== 'object') return false
  const store = (value as SharedTasks).store
  return store !== null && typeof store === 'object' && typeof store.load === 'function' && typeof store.save === 'function'
}

/**
 * The request handler with CancelTask and SubscribeToTask routed: to the SDK when the task
 * runs here (`runsHere`), else to the shared tasks first.
 */
export function routeElsewhere(
  handler: DefaultRequestHandler,
  runsHere: (taskId: string) => boolean,
  shared: SharedTasks | undefined,
): DefaultRequestHandler {
  if (shared?.cancel === undefined && shared?.subscribe === undefined) return handler
  const cancelTask: DefaultRequestHandler['cancelTask'] = async (params, context) => {
    if (shared.cancel === undefined || runsHere(params.id)) return handler.cancelTask(params, context)
    return (await shared.cancel(params.id, context)) ?? handler.cancelTask(params, context)
  }
  async function* resubscribe(
    params: Parameters<DefaultRequestHandler['resubscribe']>[0],
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const subscribe = shared!.subscribe?.bind(shared)
    const local = subscribe === undefined || runsHere(params.id) || (await handler.getAgentCard()).capabilities?.streaming !== true
    const remote = local ? undefined : await subscribe(params.id, context)
    yield* remote ?? handler.resubscribe(params, context)
  }
  return new Proxy(handler, {
    get(target, property, receiver) {
      if (property === 'cancelTask') return cancelTask
      if (property === 'resubscribe') return resubscribe
      // Bound to the handler itself: its #private members are not reachable through a proxy.
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
