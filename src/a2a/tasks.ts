// Which agent executions are running, and under which request. The SDK's request handler keeps
// no such list, but shutdown must cancel every running task and a stream whose client left
// must cancel the tasks it started; so the executor is wrapped once and each execute() is
// filed by task id with the request's call context. A task the host cancelled without the
// executor's consent is fenced: what the executor publishes for it afterwards is dropped.

import type {
  AgentExecutionEvent,
  AgentExecutor,
  DefaultRequestHandler,
  ExecutionEventBus,
  ExecutionEventBusManager,
  ServerCallContext,
} from '@a2a-js/sdk/server'

interface Running {
  context: ServerCallContext
  /** Settles (never rejects) when execute() returns. */
  done: Promise<void>
}

const ignore = (): void => {}

export class RunningTasks {
  readonly #running = new Map<string, Running>()
  /** Tasks cancelled over the executor's head, until their executions return. */
  readonly #fenced = new Set<string>()
  #handler: DefaultRequestHandler | null = null
  #buses: ExecutionEventBusManager | null = null
  #executor: AgentExecutor | null = null

  get size(): number {
    return this.#running.size
  }

  /** The executor to give the SDK: the same behaviour, with each execution on file. */
  wrap(executor: AgentExecutor): AgentExecutor {
    this.#executor = executor
    return {
      execute: (requestContext, bus) => {
        const guarded = this.#guard(requestContext.taskId, bus)
        const work = Promise.resolve().then(() => executor.execute(requestContext, guarded))
        const entry: Running = { context: requestContext.context, done: work.then(ignore, ignore) }
        const taskId = requestContext.taskId
        this.#running.set(taskId, entry)
        void entry.done.then(() => {
          if (this.#running.get(taskId) === entry) this.#running.delete(taskId)
        })
        return work
      },
      cancelTask: (taskId, bus) => executor.cancelTask(taskId, this.#guard(taskId, bus)),
    }
  }

  /**
   * Drops the executor's later events for a task the host marked CANCELED itself; the fence
   * lifts when the task's execution returns (at once if none is running).
   */
  fence(taskId: string): void {
    const entry = this.#running.get(taskId)
    if (entry === undefined) return
    this.#fenced.add(taskId)
    void entry.done.then(() => {
      if (!this.#running.has(taskId)) this.#fenced.delete(taskId)
    })
  }

  /** The bus as an executor sees it: publishing stops counting once the task is fenced. */
  #guard(taskId: string, bus: ExecutionEventBus): ExecutionEventBus {
    const fenced = this.#fenced
    return new Proxy(bus, {
      get(target, name, receiver) {
        if (name === 'publish') {
          return (event: AgentExecutionEvent) => {
            if (!fenced.has(taskId)) target.publish(event)
          }
        }
        const value = Reflect.get(target, name, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }

  /** What cancelling needs: the handler (which records the cancel in the store) and the buses. */
  attach(handler: DefaultRequestHandler, buses: ExecutionEventBusManager): void {
    this.#handler = handler
    this.#buses = buses
  }

  /** Task ids still executing that were started by the request with this context. */
  startedBy(context: ServerCallContext): string[] {
    const ids: string[] = []
    for (const [id, entry] of this.#running) if (entry.context === context) ids.push(id)
    return ids
  }

  /**
   * Cancels a running task the way a client's CancelTask would, so the store ends up CANCELED;
   * if the handler cannot (the task is not stored yet), the executor is told directly.
   */
  async cancel(taskId: string): Promise<void> {
    const entry = this.#running.get(taskId)
    if (entry === undefined) return
    const context = entry.context
    try {
      await this.#handler!.cancelTask({ tenant: context.tenant ?? '', id: taskId, metadata: {} }, context)
    } catch {
      const bus = this.#buses!.getByTaskId(taskId, context)
      if (bus !== undefined && this.#running.has(taskId)) await this.#executor!.cancelTask(taskId, bus)
    }
  }

  /**
   * Cancels every running task and waits, up to `graceMs`, for their executions to return.
   * Resolves with the ids of those still running when the time ran out.
   */
  async cancelAll(graceMs: number): Promise<string[]> {
    const entries = [...this.#running]
    if (entries.length === 0) return []
    for (const [id] of entries) void this.cancel(id).catch(ignore)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    await Promise.race([Promise.all(entries.map(([, entry]) => entry.done)), expired])
    clearTimeout(timer)
    return entries.filter(([id, entry]) => this.#running.get(id) === entry).map(([id]) => id)
  }
}
