// The SDK's request handler with the answers A2A's specification gives where @a2a-js/sdk 1.3
// gives others: a second CancelTask on a canceled task is TaskNotCancelable (-32002), not a
// quiet success; CancelTask never waits on the executor longer than `cancelTimeoutMs` (the SDK
// waits, without limit, for the executor to publish CANCELED: an executor whose cancelTask
// only sets a flag, for a task parked in INPUT_REQUIRED, hangs the request); and ListTasks
// sends no history unless `historyLength` asks for it, whatever the store returns.

import { Role, TaskState, type CancelTaskRequest, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk'
import { TaskNotCancelableError } from '@a2a-js/sdk/errors'
import {
  AgentEvent,
  DefaultRequestHandler,
  type AgentExecutor,
  type ExecutionEventBusManager,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server'
import type { AgentCard } from '@a2a-js/sdk'
import type { RunningTasks } from './tasks.ts'

export interface EdgeHandlerParts {
  card: AgentCard
  store: TaskStore
  executor: AgentExecutor
  buses: ExecutionEventBusManager
  tasks: RunningTasks
  cancelTimeoutMs: number
}

export class EdgeRequestHandler extends DefaultRequestHandler {
  readonly #store: TaskStore
  readonly #buses: ExecutionEventBusManager
  readonly #tasks: RunningTasks
  readonly #cancelTimeoutMs: number

  constructor(parts: EdgeHandlerParts) {
    super(parts.card, parts.store, parts.executor, parts.buses)
    this.#store = parts.store
    this.#buses = parts.buses
    this.#tasks = parts.tasks
    this.#cancelTimeoutMs = parts.cancelTimeoutMs
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    const current = await this.#store.load(params.id, context)
    if (current?.status?.state === TaskState.TASK_STATE_CANCELED) {
      throw new TaskNotCancelableError(`Task not cancelable: ${params.id} is already canceled`)
    }
    const asked = super.cancelTask(params, context)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, this.#cancelTimeoutMs, null)))
    try {
      const answer = await Promise.race([asked, late])
      if (answer !== null) return answer
    } finally {
      clearTimeout(timer)
    }
    // The executor did not confirm in time: the host cancels. Its own CANCELED, on the task's
    // bus, is what the SDK's cancel (and any request still waiting on the task) is waiting for.
    this.#tasks.fence(params.id)
    const bus = this.#buses.getByTaskId(params.id, context)
    bus?.publish(AgentEvent.statusUpdate(canceledBy(params.id, current?.contextId ?? '', this.#cancelTimeoutMs)))
    const answer = await asked
    bus?.finished()
    this.#buses.cleanupByTaskId(params.id, context)
    return answer
  }

  override async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const response = await super.listTasks(params, context)
    if (params.historyLength === undefined) for (const task of response.tasks) task.history = []
    return response
  }
}

function canceledBy(taskId: string, contextId: string, ms: number) {
  const text = `Canceled: the agent did not confirm the cancel within ${ms} ms`
  return {
    taskId,
    contextId,
    status: {
      state: TaskState.TASK_STATE_CANCELED,
      message: {
        messageId: crypto.randomUUID(),
        contextId,
        taskId,
        role: Role.ROLE_AGENT,
        parts: [{ content: { $case: 'text' as const, value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
        metadata: {},
        extensions: [],
        referenceTaskIds: [],
      },
      timestamp: new Date().toISOString(),
    },
    metadata: {},
  }
}
