// From the routers' hops (tsgi:route) to the span's `http.route`. The HTTP instrumentation
// puts an RPC metadata object in the request's context and, when the response ends, names the
// server span `METHOD route` and sets `http.route` from it: the express and fastify
// instrumentations fill it the same way. The route grows hop by hop, so nested routers give
// `/api/items/:id`, and a mount whose app is not a router ends in `/*`.

import { context, createContextKey, trace, type Span } from '@opentelemetry/api'

import type { RouteTrace } from '../compose/route-channel.ts'

/**
 * @opentelemetry/core's key for the RPC metadata. createContextKey is Symbol.for, so any copy
 * of the API finds the object the HTTP instrumentation stored, without tsgi depending on core.
 */
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA')

interface RpcMetadata {
  type: string
  route?: string
  span: Span
}

/** The route so far of each request in flight, by its RPC metadata (or its span, without one). */
const routesSoFar = new WeakMap<object, string>()

/** The route after one more hop: `/api/*` then `/api/items/:id`. */
export function joinRoute(before: string, hop: Pick<RouteTrace, 'kind' | 'pattern'>): string {
  const stem = before.endsWith('/*') ? before.slice(0, -2) : before
  if (hop.kind === 'route') return `${stem}${hop.pattern}`
  return hop.pattern === '/' ? `${stem}/*` : `${stem}${hop.pattern}/*`
}

/** Called synchronously by the router, so the active context is the request's. */
export function onRouteHop(message: unknown): void {
  const hop = message as RouteTrace
  const active = context.active()
  const rpc = active.getValue(RPC_METADATA_KEY) as RpcMetadata | undefined
  const span = trace.getSpan(active)
  const key = rpc ?? span
  if (key === undefined) return
  // The first hop starts where the host put the app (an Express mount's baseUrl), or at ''.
  const route = joinRoute(routesSoFar.get(key) ?? hop.scope.rootPath, hop)
  routesSoFar.set(key, route)
  if (rpc?.type === 'http') rpc.route = route
  else span?.setAttribute('http.route', route)
}
