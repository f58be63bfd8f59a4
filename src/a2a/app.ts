// tsgi/a2a: an A2A agent (A2A v1.0, @a2a-js/sdk) as a tsgi child app, without Express. The
// agent card is at /.well-known/agent-card.json (and the older /.well-known/agent.json);
// JSON-RPC (SendMessage, SendStreamingMessage, GetTask, CancelTask, ...) at the mount root,
// streams as SSE. Shutdown cancels running tasks and ends open streams.

import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  type AgentExecutor,
  type RequestContext,
  type TaskStore,
} from '@a2a-js/sdk/server'
import { cardAt, completeCard, endpointUrl, type AgentCardInput, type PublicUrl } from './card.ts'
import { STATE_KEY, handleRpc, type RpcDeps } from './rpc.ts'
import { RunningTasks } from './tasks.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, HttpScope, Receive, Send } from '../protocol/types.ts'
import { readLimit, sendJson, serviceLifespan } from '../sdk/http.ts'

export type { AgentCardInput, PublicUrl } from './card.ts'

export interface A2aAppOptions {
  /** The agent card; `name` and `description` are required, the rest has defaults. */
  card: AgentCardInput
  executor: AgentExecutor
  /** Default: an InMemoryTaskStore. */
  taskStore?: TaskStore
  /**
   * The JSON-RPC endpoint's public URL for the card: a string, or a function of the request
   * scope (behind a proxy). Default: the request's scheme, Host and rootPath.
   */
  publicUrl?: PublicUrl
  /** A JSON-RPC body past this many bytes gets 413. Default 4 MiB. */
  maxBodyBytes?: number
  /** How long shutdown waits for cancelled tasks to return. Default 5 000 ms. */
  shutdownGraceMs?: number
}

export interface A2aApp extends App {
  /** Stops taking requests (503), cancels running tasks, ends open streams; idempotent. */
  close(): Promise<void>
  /** Executions currently running. */
  readonly runningTasks: number
}

/**
 * The lifespan state (what startup hooks and lifespan functions stored) as the request an
 * executor serves sees it.
 * @example
 * async execute(ctx, bus) { const { scheduler } = lifespanState(ctx) as { scheduler: Scheduler } }
 */
export function lifespanState(requestContext: RequestContext): Record<string, unknown> {
  return (requestContext.context.state.get(STATE_KEY) as Record<string, unknown> | undefined) ?? {}
}

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json'])

/**
 * @example
 * const a2a = a2aApp({ card: { name: 'Echo', description: 'Says it back' }, executor: new EchoExecutor() })
 * await serve(router([mount('/', a2a)]))
 */
export function a2aApp(options: A2aAppOptions): A2aApp {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('a2aApp needs { card, executor }')
  const { card: input, executor } = options
  if (input === null || typeof input !== 'object' || typeof input.name !== 'string') {
    throw new InvalidArgumentError('a2aApp card must be an object with at least a name and a description')
  }
  if (
    executor === null ||
    typeof executor !== 'object' ||
    typeof executor.execute !== 'function' ||
    typeof executor.cancelTask !== 'function'
  ) {
    throw new InvalidArgumentError('a2aApp executor must be an AgentExecutor, with execute() and cancelTask()')
  }
  if (options.publicUrl !== undefined && typeof options.publicUrl !== 'string' && typeof options.publicUrl !== 'function') {
    throw new InvalidArgumentError(`a2aApp publicUrl must be a URL string or a function of the request, got ${typeof options.publicUrl}`)
  }
  const graceMs = readLimit(options.shutdownGraceMs, 'a2aApp shutdownGraceMs', 5_000)
  const card = completeCard(input)
  const tasks = new RunningTasks()
  const buses = new DefaultExecutionEventBusManager()
  const handler = new DefaultRequestHandler(card, options.taskStore ?? new InMemoryTaskStore(), tasks.wrap(executor), buses)
  tasks.attach(handler, buses)
  const deps: RpcDeps = {
    transport: new JsonRpcTransportHandler(handler),
    card,
    tasks,
    streams: new Set(),
    maxBodyBytes: readLimit(options.maxBodyBytes, 'a2aApp maxBodyBytes', 4 * 1024 * 1024),
  }
  let closing: Promise<void> | null = null

  function close(): Promise<void> {
    closing ??= (async () => {
      const deadline = Date.now() + graceMs
      // Cancel first, and let streams end by themselves, so each still carries its task's
      // final CANCELED event...
      const stuck = await tasks.cancelAll(graceMs)
      await settled(
        [...deps.streams].map((s) => s.ended),
        Math.max(deadline - Date.now(), 0),
      )
      // ...then end whatever is still open.
      for (const stream of deps.streams) stream.controller.abort()
      if (stuck.length > 0) {
        throw new Error(`${stuck.length} task(s) still running ${graceMs} ms after cancel: ${stuck.join(', ')}`)
      }
    })()
    return closing
  }

  // Cancelling when the drain begins, not at lifespan.shutdown: a streaming task never ends by
  // itself, and the drain waits for in-flight responses before the shutdown arrives.
  const cancelOnDrain = (): void => void close().catch(() => undefined)

  const lifespan = serviceLifespan('a2a', cancelOnDrain, close)

  async function http(scope: HttpScope, receive: Receive, send: Send): Promise<void> {
    const path = scope.path
    if (CARD_PATHS.has(path)) {
      if (scope.method !== 'GET' && scope.method !== 'HEAD') return notAllowed(send, 'GET, HEAD')
      return sendJson(send, 200, cardAt(card, endpointUrl(scope, options.publicUrl)), [['cache-control', 'no-cache']])
    }
    if (path !== '/')
      return sendJson(send, 404, { error: `Not Found: A2A serves JSON-RPC at the mount root and the card at /.well-known/agent-card.json` })
    if (scope.method !== 'POST') return notAllowed(send, 'POST')
    if (closing !== null) {
      return sendJson(send, 503, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32603, message: 'Service Unavailable: the agent is shutting down' },
      })
    }
    return handleRpc(scope, receive, send, deps)
  }

  const app = function a2a(scope, receive, send) {
    if (scope.type === 'lifespan') return lifespan(scope, receive, send)
    return http(scope, receive, send)
  } as A2aApp
  Object.defineProperty(app, 'runningTasks', { get: () => tasks.size })
  app.close = close
  return app
}

/** Waits for every promise, or for `ms`, whichever comes first. */
async function settled(promises: Array<Promise<void>>, ms: number): Promise<void> {
  if (promises.length === 0) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([Promise.all(promises), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

function notAllowed(send: Send, allow: string): Promise<void> {
  return sendJson(send, 405, { error: `Method Not Allowed; use ${allow}` }, [['allow', allow]])
}
