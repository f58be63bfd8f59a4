// The public surface of `tsgi`, nothing else.
export type {
  App,
  AppState,
  HttpDisconnect,
  HttpReceiveMessage,
  HttpRequest,
  HttpResponseBody,
  HttpResponseStart,
  HttpScope,
  HttpSendMessage,
  LifespanContext,
  LifespanFn,
  LifespanHook,
  LifespanReceiveMessage,
  LifespanScope,
  LifespanSendMessage,
  LifespanShutdown,
  LifespanShutdownComplete,
  LifespanShutdownFailed,
  LifespanStartup,
  LifespanStartupComplete,
  LifespanStartupFailed,
  Logger,
  Receive,
  ReceiveMessage,
  Scope,
  Send,
  SendMessage,
  State,
  StateUpdate,
  TsgiInfo,
  WebSocketAccept,
  WebSocketClose,
  WebSocketConnect,
  WebSocketDisconnect,
  WebSocketHttpResponseBody,
  WebSocketHttpResponseStart,
  WebSocketReceive,
  WebSocketReceiveMessage,
  WebSocketScope,
  WebSocketSend,
  WebSocketSendMessage,
} from './protocol/types.ts'
export { TSGI_VERSION } from './protocol/types.ts'
export {
  BodyTooLargeError,
  InvalidArgumentError,
  LifespanShutdownError,
  LifespanStartupError,
  LifespanTimeoutError,
  ProtocolError,
  ServerClosedError,
  ServiceUnavailableError,
  TlsFileError,
  WebSocketClosedError,
  type ErrorCode,
} from './protocol/errors.ts'
export { lifespanTransitions, type LifespanState } from './protocol/lifespan.ts'
export { websocketTransitions, type WebSocketState } from './protocol/websocket.ts'
export type { WebSocketOptions } from './websocket/options.ts'
export type { TlsOptions, TlsInline, TlsFiles } from './serve/tls-options.ts'
export { LifespanManager, type LifespanManagerOptions } from './lifespan/manager.ts'
export { router, type RouterOptions } from './compose/router.ts'
export { mount, route, type Route } from './compose/routes.ts'
export { withLifespan } from './compose/with-lifespan.ts'
export type { Server, ServeOptions, TimingNode, Timings } from './serve/serve.ts'
export type { PrimaryHooks, RestartOptions } from './serve/options.ts'
// serve() itself, with `workers` on node:cluster: one script, a primary and its workers.
export { serve } from './cluster/roles.ts'
export type { ClusterServer, WorkerInfo, WorkerPhase } from './cluster/server.ts'
export type { ClusterTrace } from './cluster/channel.ts'
export { shutdownBudgetMs } from './serve/budget.ts'
export type { TrustProxy } from './node/trust.ts'
export { lifecycleTransitions, type LifecycleTrace, type Phase } from './lifecycle/table.ts'
// The fetch bridge: a `(Request) => Response` handler as an App, and an App as one.
export { fromFetch, toFetchHandler, type FetchHandler, type ToFetchHandlerOptions } from './fetch/app.ts'
// The node:http bridge and small helpers for app authors.
export { toNodeHandler, type NodeHandler, type NodeHandlerOptions } from './node/handler.ts'
export type { ConsumedBodyPolicy } from './node/consumed-body.ts'
// The reverse: an existing node:http handler (an Express app) as a child app.
export { fromNodeHandler, type FromNodeHandlerOptions, type NodeRequestHandler } from './node/from-node-handler.ts'
// Embedding: a tsgi app with its lifespan inside another server (tsgi/express, tsgi/fastify, tsgi/hono build on it).
export { embed, type Embedded, type EmbedOptions } from './embed/embed.ts'
export { httpOnly, readBody, readText, sendJson, sendText, type HttpHandler, type ReadBodyOptions } from './http.ts'
export { ClientDisconnectedError } from './protocol/errors.ts'
