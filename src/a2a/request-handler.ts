// The SDK's request handler with the answers A2A's specification gives where @a2a-js/sdk 1.3
// gives others: a second CancelTask on a canceled task is TaskNotCancelable (-32002), not a
// quiet success; CancelTask never waits on the executor longer than `cancelTimeoutMs` (the SDK
// waits, without limit, for the executor to publish CANCELED: an executor whose cancelTask
// only sets a flag, for a task parked in INPUT_REQUIRED, hangs the request); ListTasks sends
// no history unless `historyLength` asks for it, whatever the store returns; and a message
// that would take its task's history past `maxTaskBytes` is refused (-32602), since the SDK
// appends follow-ups even to a running task, which no store may evict.

import {
  Role,
  TaskState,
  type CancelTaskRequest,
  type ListTasksRequest,
  type ListTasksResponse,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
} from '@a2a-js/sdk'
import { RequestMalformedError, TaskNotCancelableError } from '@a2a-js/sdk/errors'
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
import { approximateBytes } from './task-size.ts'

export interface EdgeHandlerParts {
  card: AgentCard
  store: TaskStore
  executor: AgentExecutor
  buses: ExecutionEventBusManager
  tasks: RunningTasks
  cancelTimeoutMs: number
  maxTaskBytes: number
}

export class EdgeRequestHandler extends DefaultRequestHandler {
  readonly #store: TaskStore
  readonly #buses: ExecutionEventBusManager
  readonly #tasks: RunningTasks
  readonly #cancelTimeoutMs: number
  readonly #maxTaskBytes: number

  constructor(parts: EdgeHandlerParts) {
    super(parts.card, parts.store, parts.executor, parts.buses)
    this.#store = parts.store
    this.#buses = parts.buses
    this.#tasks = parts.tasks
    this.#cancelTimeoutMs = parts.cancelTimeoutMs
    this.#maxTaskBytes = parts.maxTaskBytes
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    await this.#checkRoom(params, context)
    return super.sendMessage(params, context)
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.#checkRoom(params, context)
    yield* super.sendMessageStream(params, context)
  }

  /** Refuses a follow-up message its task has no room for. */
  async #checkRoom(params: SendMessageRequest, context: ServerCallContext): Promise<void> {
    const taskId = params.message?.taskId
    if (!taskId) return
    const task = await this.#store.load(taskId, context)
    if (task === undefined) return
    const bytes = approximateBytes(task) + approximateBytes(params.message)
    if (bytes > this.#maxTaskBytes) {
      throw new RequestMalformedError(
        `task ${taskId} would hold about ${bytes} bytes with this message; the most is ${this.#maxTaskBytes} (maxTaskBytes)`,
      )
    }
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
