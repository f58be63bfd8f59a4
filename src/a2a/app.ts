// tsgi/a2a: an A2A agent (A2A v1.0, @a2a-js/sdk) as a tsgi child app, without Express. The
// agent card is at /.well-known/agent-card.json (and the older /.well-known/agent.json);
// JSON-RPC (SendMessage, SendStreamingMessage, GetTask, CancelTask, ...) at the mount root,
// streams as SSE. Shutdown cancels running tasks and ends open streams.

import { DefaultExecutionEventBusManager, JsonRpcTransportHandler, type RequestContext, type ServerCallContext } from '@a2a-js/sdk/server'
import { cardAt, completeCard, endpointUrl } from './card.ts'
import { containFailures, rememberErrors } from './failures.ts'
import { EdgeRequestHandler } from './request-handler.ts'
import { readA2aOptions, type A2aAppOptions } from './options.ts'
import { STATE_KEY, handleRpc, type RpcDeps } from './rpc.ts'
import { routeElsewhere } from './shared-tasks.ts'
import { BoundedTaskStore } from './task-store.ts'
import { RunningTasks } from './tasks.ts'
import { joinCluster } from './cluster-routing.ts'
import { PrimaryTaskStore } from './primary-store.ts'
// Loaded for its effect: in a primary of serve({ workers }), it provides the tasks' service.
import './primary-tasks.ts'
import { inTsgiCluster } from '../cluster/link.ts'
import { consoleLogger } from '../logging.ts'
import type { App, AppState, HttpScope, Logger, Receive, Send } from '../protocol/types.ts'
import { refuseWebSocket } from '../protocol/refuse-websocket.ts'
import { authenticate, type AuthInfo } from '../sdk/auth.ts'
import { allowedOrigin, answerPreflight, isPreflight, withCorsHeaders } from '../sdk/cors.ts'
import { hostProblem, rpcError, sendJson, serviceLifespan } from '../sdk/http.ts'
import { internalErrorLog } from '../sdk/internal-error.ts'

export type { AgentCardInput, PublicUrl } from './card.ts'
export type { A2aAppOptions } from './options.ts'
export type { AuthInfo, AuthOptions } from '../sdk/auth.ts'
export type { CorsOptions } from '../sdk/cors.ts'
export { AuthenticatedUser } from './authenticated-user.ts'
export { BoundedTaskStore } from './task-store.ts'
export type { LocalExecution, SharedTasks } from './shared-tasks.ts'

export interface A2aApp extends App {
  /** Stops taking requests (503), cancels running tasks, ends open streams; idempotent. */
  close(): Promise<void>
  /** Executions currently running. */
  readonly runningTasks: number
}

/**
 * The lifespan state (what startup hooks and lifespan functions stored) as the request an
 * executor serves sees it, typed by the `State` interface you declared for 'tsgi'.
 * @example
 * async execute(ctx, bus) { const { scheduler } = lifespanState(ctx) }
 */
export function lifespanState(requestContext: RequestContext): AppState {
  return (requestContext.context.state.get(STATE_KEY) as AppState | undefined) ?? ({} as AppState)
}

/** a2aApp()s built so far in this process: the same script builds them in the same order in every worker. */
let built = 0

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json'])

/**
 * @example
 * const a2a = a2aApp({ card: { name: 'Echo', description: 'Says it back' }, executor: new EchoExecutor() })
 * await serve(router([mount('/', a2a)]))
 */
export function a2aApp(options: A2aAppOptions): A2aApp {
  const config = readA2aOptions(options)
  const { graceMs, allowed, cors, auth } = config
  let scopeLogger: Logger | undefined
  const log = internalErrorLog('a2a', {
    logger: () => options.logger ?? scopeLogger ?? consoleLogger,
    logDetails: options.logDetails === true,
  })
  const card = completeCard(options.card)
  const shared = options.tasks
  const tasks = new RunningTasks(shared)
  const buses = new DefaultExecutionEventBusManager()
  const ns = `a2a-${built++}`
  // Under serve({ workers }) the default store is the primary's, so every worker sees every task.
  const clustered = inTsgiCluster()
  const limits = { maxTasks: config.maxTasks, ttlMs: config.taskTtlMs, maxBytes: config.maxStoreBytes, maxPageBytes: config.maxPageBytes }
  const ownStore = shared?.store ?? options.taskStore
  const store = ownStore ?? (clustered ? new PrimaryTaskStore(ns, limits) : new BoundedTaskStore(limits))
  const executor = tasks.wrap(containFailures(options.executor, options.exposeErrors === true, log))
  const handler = new EdgeRequestHandler({
    card,
    store,
    executor,
    buses,
    tasks,
    cancelTimeoutMs: config.cancelTimeoutMs,
    maxTaskBytes: config.maxTaskBytes,
  })
  tasks.attach(handler, buses)
  // Inside one machine a running task is reached at its worker through the primary (which knows
  // every worker's tasks); a task the primary does not know runs on another replica, reached
  // through the shared store's own channel.
  const acrossReplicas = routeElsewhere(handler, (taskId) => tasks.has(taskId), shared)
  const routed = clustered ? joinCluster(ns, acrossReplicas, tasks, store, ownStore === undefined).routed : acrossReplicas
  const caught = new WeakMap<ServerCallContext, unknown>()
  const deps: RpcDeps = {
    transport: new JsonRpcTransportHandler(rememberErrors(routed, caught)),
    card,
    tasks,
    streams: new Set(),
    maxBodyBytes: config.maxBodyBytes,
    maxMessageBytes: config.maxMessageBytes,
    log,
    caught,
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

  // The shared tasks close at lifespan.shutdown, after the drain: requests still in flight
  // while it ran (and the cancels above) write to them.
  const shutdown = async (): Promise<void> => {
    try {
      await close()
    } finally {
      await shared?.stop?.()
    }
  }

  const lifespan = serviceLifespan('a2a', cancelOnDrain, shutdown, async (scope) => {
    scopeLogger = scope.logger
    await shared?.start?.(options.logger ?? scopeLogger ?? consoleLogger)
  })

  async function http(scope: HttpScope, receive: Receive, rawSend: Send): Promise<void> {
    if (allowed !== null) {
      const problem = hostProblem(scope, allowed)
      if (problem !== null) return sendJson(rawSend, 403, rpcError(-32600, problem))
    }
    let send = rawSend
    if (cors !== null) {
      if (isPreflight(scope)) return answerPreflight(scope, send, cors)
      const origin = allowedOrigin(scope, cors)
      if (origin !== null) send = withCorsHeaders(send, origin, cors)
    }
    const path = scope.path
    if (CARD_PATHS.has(path)) {
      if (scope.method !== 'GET' && scope.method !== 'HEAD') return notAllowed(send, 'GET, HEAD')
      // The Host header counts only once allowedHosts has vouched for it.
      const url = endpointUrl(scope, options.publicUrl, allowed !== null)
      return sendJson(send, 200, cardAt(card, url), [['cache-control', 'no-cache']])
    }
    if (path !== '/')
      return sendJson(send, 404, { error: `Not Found: A2A serves JSON-RPC at the mount root and the card at /.well-known/agent-card.json` })
    if (scope.method !== 'POST') return notAllowed(send, 'POST')
    let authInfo: AuthInfo | undefined
    if (auth !== null) {
      const outcome = await authenticate(scope, send, auth, log)
      if (outcome.kind === 'refused') return
      authInfo = outcome.info
    }
    if (closing !== null) {
      return sendJson(send, 503, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32603, message: 'Service Unavailable: the agent is shutting down' },
      })
    }
    return handleRpc(scope, receive, send, deps, authInfo)
  }

  const app = function a2a(scope, receive, send) {
    if (scope.type === 'lifespan') return lifespan(scope, receive, send)
    if (scope.type === 'websocket') return refuseWebSocket(send)
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
