// The route a router matched, told to whoever listens (the OpenTelemetry bridge, tsgi/otel)
// on node:diagnostics_channel `tsgi:route`, one event per hop: a request under nested routers
// publishes the outer mount first. With no subscriber the router only reads `hasSubscribers`.

import diagnostics from 'node:diagnostics_channel'

import type { HttpScope, WebSocketScope } from '../protocol/types.ts'

/** One hop of a request's way through the routers. */
export interface RouteTrace {
  /** The request's (or websocket's) scope as this router received it: its `rootPath` is where the hop starts. */
  scope: HttpScope | WebSocketScope
  /** 'mount': a prefix took the request and its app answers below it; 'route': an endpoint answers. */
  kind: 'mount' | 'route'
  /** The pattern as declared (`/mcp`, `/items`), not the path it matched. */
  pattern: string
}

export const ROUTE_CHANNEL = 'tsgi:route'

export const routeChannel = diagnostics.channel(ROUTE_CHANNEL)
