// How a failed A2A call is answered: every error, the SDK's or ours, goes through the one
// filter (failures.ts) so that no internal text reaches a client; a database that is down is a
// 503 with Retry-After, since the same call may succeed later.

import { A2AError, isJsonRpcError } from '@a2a-js/sdk/errors'
import { JsonRpcTransportHandler, type ServerCallContext } from '@a2a-js/sdk/server'
import { filterRpcError, type RpcErrorBody } from './failures.ts'
import type { RpcDeps, RpcEnvelope } from './rpc.ts'
import { unavailableIn } from '../protocol/errors.ts'
import type { Send } from '../protocol/types.ts'
import { sendJson } from '../sdk/http.ts'

/** Only the SDK's own errors carry sentences meant for clients; anything else stays in here. */
export function toRpcError(error: unknown): RpcErrorBody {
  if (error instanceof A2AError || isJsonRpcError(error)) return JsonRpcTransportHandler.mapToJSONRPCError(error)
  return { code: -32603, message: 'Internal error' }
}

/** The envelope for an error thrown at `step`, through the one filter. */
export function envelope(id: unknown, error: unknown, step: string, deps: RpcDeps): RpcEnvelope {
  return { jsonrpc: '2.0', id: safeId(id), error: filterRpcError(toRpcError(error), step, error, deps.log) }
}

export function safeId(id: unknown): string | number | null {
  return typeof id === 'string' || typeof id === 'number' ? id : null
}

/** An envelope the SDK built, its error (if any) through the same filter. */
export function filtered(answer: RpcEnvelope, step: string, context: ServerCallContext, deps: RpcDeps): RpcEnvelope {
  if (answer.error === undefined) return answer
  return { ...answer, error: filterRpcError(answer.error as RpcErrorBody, step, deps.caught.get(context), deps.log) }
}

/**
 * 503 with Retry-After when what failed was a service the agent needs (its task database):
 * the request may succeed later, so it is not an internal error. Its message is ours.
 */
export function answerUnavailable(send: Send, id: unknown, error: unknown, step: string, deps: RpcDeps): Promise<void> | null {
  const unavailable = unavailableIn(error)
  if (unavailable === null) return null
  deps.log(step, error)
  const body = { jsonrpc: '2.0', id: safeId(id), error: { code: -32603, message: `Service Unavailable: ${unavailable.message}` } }
  return sendJson(send, 503, body, [['retry-after', String(unavailable.retryAfterSeconds)]])
}
