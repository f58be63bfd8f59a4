// One A2A JSON-RPC call over HTTP, without Express: the SDK's JsonRpcTransportHandler does the
// protocol, this file does the HTTP around it as the SDK's Express adapter does (errors as
// JSON-RPC envelopes with status 200, streams as SSE), plus what that adapter lacks: a client
// that leaves stops its stream's work, and shutdown ends open streams.

import { Extensions, type AgentCard } from '@a2a-js/sdk'
import { A2AError, isJsonRpcError } from '@a2a-js/sdk/errors'
import {
  JsonRpcTransportHandler,
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  validateVersion,
  type ServerCallContext,
} from '@a2a-js/sdk/server'
import { filterRpcError, type RpcErrorBody } from './failures.ts'
import { sendAnswer } from './json-answer.ts'
import { envelopeProblem, paramsProblem } from './request-check.ts'
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

type RpcEnvelope = { jsonrpc: string; id: string | number | null; result?: unknown; error?: unknown }

const anonymous = new UnauthenticatedUser()

/**
 * The SDK's user for a caller whose token verified (with `auth`): what executors and task
 * stores see as `context.user`; its userName is the AuthInfo's clientId.
 * @example
 * async execute(ctx, bus) {
 *   const user = ctx.context.user
 *   if (user instanceof AuthenticatedUser && !user.authInfo.scopes.includes('write')) throw new Error('forbidden')
 * }
 */
export class AuthenticatedUser {
  constructor(readonly authInfo: AuthInfo) {}
  get isAuthenticated(): boolean {
    return true
  }
  get userName(): string {
    return this.authInfo.clientId
  }
}
const encoder = new TextEncoder()
const SSE_HEADERS: Array<[string, string]> = [
  ['content-type', 'text/event-stream'],
  ['cache-control', 'no-cache'],
  ['x-accel-buffering', 'no'],
]

/** Only the SDK's own errors carry sentences meant for clients; anything else stays in here. */
function toRpcError(error: unknown): RpcErrorBody {
  if (error instanceof A2AError || isJsonRpcError(error)) return JsonRpcTransportHandler.mapToJSONRPCError(error)
  return { code: -32603, message: 'Internal error' }
}

/** The envelope for an error thrown at `step`, through the one filter. */
function envelope(id: unknown, error: unknown, step: string, deps: RpcDeps): RpcEnvelope {
  return { jsonrpc: '2.0', id: safeId(id), error: filterRpcError(toRpcError(error), step, error, deps.log) }
}

function safeId(id: unknown): string | number | null {
  return typeof id === 'string' || typeof id === 'number' ? id : null
}

/** An envelope the SDK built, its error (if any) through the same filter. */
function filtered(answer: RpcEnvelope, step: string, context: ServerCallContext, deps: RpcDeps): RpcEnvelope {
  if (answer.error === undefined) return answer
  return { ...answer, error: filterRpcError(answer.error as RpcErrorBody, step, deps.caught.get(context), deps.log) }
}

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
    const answer = envelope(id, error, step, deps)
    return sendJson(send, (answer.error as { code: number }).code === -32603 ? 500 : 200, answer)
  }
  const extra: Array<[string, string]> = []
  if (context.activatedExtensions !== undefined) extra.push(['a2a-extensions', Extensions.toServiceParameter(context.activatedExtensions)])
  if (Symbol.asyncIterator in result) return stream(result, { id, step, context }, receive, send, deps, extra)
  return sendAnswer(send, filtered(result, step, context, deps), extra)
}

/** What ended a stream early: the client left, or the app is shutting down. */
type Interrupt = { why: 'disconnect' | 'shutdown' }

interface StreamCall {
  id: unknown
  step: string
  context: ServerCallContext
}

async function stream(
  events: AsyncGenerator<RpcEnvelope, void, undefined>,
  call: StreamCall,
  receive: Receive,
  send: Send,
  deps: RpcDeps,
  extra: Array<[string, string]>,
): Promise<void> {
  const controller = new AbortController()
  let markEnded!: () => void
  const open: OpenStream = { controller, ended: new Promise((resolve) => (markEnded = resolve)) }
  deps.streams.add(open)
  const interrupted = new Promise<Interrupt>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve({ why: 'shutdown' }), { once: true })
    void untilDisconnect(receive).then(() => resolve({ why: 'disconnect' }))
  })
  let started = false
  try {
    for (;;) {
      const next = await Promise.race([
        events.next().then(
          (r) => ({ r }),
          (error: unknown) => ({ error }),
        ),
        interrupted,
      ])
      if ('why' in next) {
        if (next.why === 'disconnect') {
          // Nobody will read what the tasks produce: stop the work, not just the writing.
          for (const taskId of deps.tasks.startedBy(call.context)) void deps.tasks.cancel(taskId).catch(() => undefined)
        }
        // The generator is parked at an await; return() takes effect when that settles.
        void events.return(undefined).catch(() => undefined)
        // To a client that left this writes nothing; it just closes the exchange.
        return finish(send, started, extra)
      }
      if ('error' in next) {
        const failure = envelope(call.id, next.error, call.step, deps)
        if (!started) return sendJson(send, 200, failure, extra)
        await send({
          type: 'http.response.body',
          body: encoder.encode(`event: error\ndata: ${JSON.stringify(failure)}\n\n`),
          moreBody: true,
        })
        return finish(send, true, extra)
      }
      if (next.r.done === true) return finish(send, started, extra)
      if (!started) {
        await send({ type: 'http.response.start', status: 200, headers: [...SSE_HEADERS, ...extra] })
        started = true
      }
      await send({ type: 'http.response.body', body: encoder.encode(`data: ${JSON.stringify(next.r.value)}\n\n`), moreBody: true })
    }
  } finally {
    deps.streams.delete(open)
    markEnded()
  }
}

/** Ends the response: the last SSE frame, or an empty stream if no event came. */
async function finish(send: Send, started: boolean, extra: Array<[string, string]>): Promise<void> {
  if (!started) await send({ type: 'http.response.start', status: 200, headers: [...SSE_HEADERS, ...extra] })
  await send({ type: 'http.response.body', moreBody: false })
}

async function untilDisconnect(receive: Receive): Promise<void> {
  for (;;) {
    const message = await receive()
    if (message.type === 'http.disconnect') return
  }
}
