// One A2A JSON-RPC call over HTTP, without Express: the SDK's JsonRpcTransportHandler does the
// protocol, this file does the HTTP around it as the SDK's Express adapter does (errors as
// JSON-RPC envelopes with status 200, streams as SSE), plus what that adapter lacks: a client
// that leaves stops its stream's work (rpc-stream.ts), and shutdown ends open streams.

import { Extensions, type AgentCard } from '@a2a-js/sdk'
import {
  type JsonRpcTransportHandler,
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  validateVersion,
  type ServerCallContext,
} from '@a2a-js/sdk/server'
import { AuthenticatedUser } from './authenticated-user.ts'
import { sendAnswer } from './json-answer.ts'
import { envelopeProblem, paramsProblem } from './request-check.ts'
import { answerUnavailable, envelope, filtered, safeId } from './rpc-errors.ts'
import { stream } from './rpc-stream.ts'
import type { RunningTasks } from './tasks.ts'
import type { HttpScope, Receive, Send } from '../protocol/types.ts'
import type { AuthInfo } from '../sdk/auth.ts'
import { answerGone, header, readBody, sendJson } from '../sdk/http.ts'
import type { InternalErrorLog } from '../sdk/internal-error.ts'

export interface RpcDeps {
  transport: JsonRpcTransportHandler
  card: AgentCard
  tasks: RunningTasks
  /** Open streams: shutdown waits for them to end by themselves, then aborts the rest. */
  streams: Set<OpenStream>
  maxBodyBytes: number
  maxMessageBytes: number
  log: InternalErrorLog
  /** Errors the request handler threw, by call context, for the log line's class. */
  caught: WeakMap<ServerCallContext, unknown>
}

export interface OpenStream {
  controller: AbortController
  /** Resolves when the response has ended, however it ended. */
  ended: Promise<void>
}

/** Where the request's lifespan state rides in the SDK's call context, for executors. */
export const STATE_KEY = 'tsgi.state'

export type RpcEnvelope = { jsonrpc: string; id: string | number | null; result?: unknown; error?: unknown }

const anonymous = new UnauthenticatedUser()

function stepOf(request: Record<string, unknown>): string {
  const method = request?.method
  return typeof method === 'string' && /^[A-Za-z]{1,64}$/.test(method) ? method : 'JSON-RPC'
}

export async function handleRpc(
  scope: HttpScope,
  receive: Receive,
  send: Send,
  deps: RpcDeps,
  authInfo: AuthInfo | undefined,
): Promise<void> {
  // A JSON-RPC POST must say it is JSON: a form or text/plain POST is what a foreign web page
  // can send without a preflight.
  const contentType = header(scope, 'content-type')
  if (contentType === undefined || contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') {
    const error = { code: -32600, message: 'Unsupported Media Type: send Content-Type: application/json' }
    return sendJson(send, 415, { jsonrpc: '2.0', id: null, error })
  }
  const body = await readBody(scope, receive, deps.maxBodyBytes)
  if (body.kind === 'disconnect') return answerGone(send)
  if (body.kind === 'too-large') {
    return sendJson(send, 413, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: `Request body exceeds ${deps.maxBodyBytes} bytes` },
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.text)
  } catch {
    return sendJson(send, 200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the body is not JSON' } })
  }
  const malformed = envelopeProblem(parsed)
  const request = parsed as Record<string, unknown>
  const id = malformed === null ? request.id : null
  const problem = malformed ?? paramsProblem(request.method as string, request.params, deps.maxMessageBytes)
  if (problem !== null) return sendJson(send, 200, { jsonrpc: '2.0', id: safeId(id), error: problem })

  const headers: Record<string, string> = {}
  for (const [name, value] of scope.headers) headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  const context = defaultServerCallContextBuilder({
    extensions: Extensions.parseServiceParameter(headers['a2a-extensions']),
    user: authInfo === undefined ? anonymous : new AuthenticatedUser(authInfo),
    headers,
    requestedVersion: headers['a2a-version'],
  })
  context.state.set(STATE_KEY, scope.state)
  const step = stepOf(request)
  let result: RpcEnvelope | AsyncGenerator<RpcEnvelope, void, undefined>
  try {
    validateVersion(context.requestedVersion, deps.card, 'JSONRPC')
    result = await deps.transport.handle(request, context)
  } catch (error) {
    const unavailable = answerUnavailable(send, id, error, step, deps)
    if (unavailable !== null) return unavailable
    const answer = envelope(id, error, step, deps)
    return sendJson(send, (answer.error as { code: number }).code === -32603 ? 500 : 200, answer)
  }
  const extra: Array<[string, string]> = []
  if (context.activatedExtensions !== undefined) extra.push(['a2a-extensions', Extensions.toServiceParameter(context.activatedExtensions)])
  if (Symbol.asyncIterator in result) return stream(result, { id, step, context }, receive, send, deps, extra)
  if (result.error !== undefined) {
    const unavailable = answerUnavailable(send, id, deps.caught.get(context), step, deps)
    if (unavailable !== null) return unavailable
  }
  return sendAnswer(send, filtered(result, step, context, deps), extra)
}
