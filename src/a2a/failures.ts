// What a client may learn when something fails inside the agent: the JSON-RPC code, and for
// internal errors only "Internal error"; an executor that throws leaves a failed task saying
// "the agent failed". The detail goes to the server log once, secret-safe (step and class).
// Error texts are not for clients: they carry hostnames, SQL, DSNs with passwords.

import { Role, TaskState, type Message } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutionEvent, type AgentExecutor, type ServerCallContext } from '@a2a-js/sdk/server'
import { describeError } from '../protocol/errors.ts'
import type { InternalErrorLog } from '../sdk/internal-error.ts'

export const AGENT_FAILED = 'the agent failed'

/** JSON-RPC and A2A codes whose messages are written for clients (validation, not found, ...). */
function isClientError(code: number): boolean {
  return code === -32700 || code === -32600 || code === -32601 || code === -32602 || (code <= -32001 && code >= -32099)
}

export interface RpcErrorBody {
  code: number
  message: string
  data?: unknown
}

/**
 * The one filter every JSON-RPC error passes, streaming or not: client errors go out as the
 * SDK wrote them; anything else becomes -32603 "Internal error" and is logged under `step`,
 * with the original error when one was caught (for its class).
 */
export function filterRpcError(error: RpcErrorBody, step: string, cause: unknown, log: InternalErrorLog): RpcErrorBody {
  if (typeof error?.code === 'number' && isClientError(error.code)) return error
  log(step, cause ?? new InternalRpcError(typeof error?.message === 'string' ? error.message : ''))
  return { code: -32603, message: 'Internal error' }
}

/** Stands for an internal error the SDK caught and mapped before we saw it. */
export class InternalRpcError extends Error {
  override readonly name = 'InternalRpcError'
}

/**
 * The executor, with its failures kept inside: when execute() throws, the error is logged and
 * the task ends FAILED with "the agent failed" (or the error's text with `exposeErrors`),
 * unless the executor had already published a final status of its own. execute() then
 * resolves, so the SDK neither prints the error nor puts its text in the task.
 */
export function containFailures(executor: AgentExecutor, exposeErrors: boolean, log: InternalErrorLog): AgentExecutor {
  return {
    execute: async (requestContext, bus) => {
      let sawTask = requestContext.task !== undefined
      let answered = false
      const watch = (event: AgentExecutionEvent): void => {
        if (event.kind === 'message') answered = true
        else if (event.kind === 'task') {
          sawTask = true
          answered = isFinal(event.data.status?.state)
        } else if (event.kind === 'statusUpdate') answered = isFinal(event.data.status?.state)
      }
      bus.on('event', watch)
      try {
        await executor.execute(requestContext, bus)
      } catch (error) {
        log('execute', error)
        if (answered) return
        const { taskId, contextId } = requestContext
        const status = {
          state: TaskState.TASK_STATE_FAILED,
          message: agentMessage(contextId, taskId, exposeErrors ? describeError(error) : AGENT_FAILED),
          timestamp: new Date().toISOString(),
        }
        if (!sawTask) {
          const history = [...(requestContext.task?.history ?? []), requestContext.userMessage]
          bus.publish(AgentEvent.task({ id: taskId, contextId, status, artifacts: [], history, metadata: {} }))
        }
        bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status, metadata: {} }))
      } finally {
        bus.off('event', watch)
      }
    },
    cancelTask: (taskId, bus) => executor.cancelTask(taskId, bus),
  }
}

const FINAL = new Set<TaskState | undefined>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
])

function isFinal(state: TaskState | undefined): boolean {
  return FINAL.has(state)
}

function agentMessage(contextId: string, taskId: string, text: string): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  }
}

/**
 * The request handler, with the errors its methods throw remembered per call context, so the
 * filter can log an error's class even though the SDK maps it to an envelope first.
 */
export function rememberErrors<T extends object>(handler: T, caught: WeakMap<ServerCallContext, unknown>): T {
  return new Proxy(handler, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const context = args[1] as ServerCallContext | undefined
        const remember = (error: unknown): never => {
          if (context !== undefined && typeof context === 'object') caught.set(context, error)
          throw error
        }
        try {
          const result = value.apply(target, args)
          if (result instanceof Promise) return result.catch(remember)
          if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
            return rememberInStream(result as AsyncGenerator<unknown>, remember)
          }
          return result
        } catch (error) {
          return remember(error)
        }
      }
    },
  })
}

async function* rememberInStream(events: AsyncGenerator<unknown>, remember: (error: unknown) => never): AsyncGenerator<unknown> {
  try {
    yield* events
  } catch (error) {
    remember(error)
  }
}
