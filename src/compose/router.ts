// router(): picks a child app by path and method, and fans the lifespan out to every child.
// The hot path is one map lookup on the first path segment, a short ordered scan, and one
// scope copy per mount hop.

import { lifespanFanout, type Child } from './fanout.ts'
import { readTimeout } from '../lifespan/deadline.ts'
import { InvalidArgumentError, ProtocolError } from '../protocol/errors.ts'
import type { App, HttpScope, LifespanFn, Receive, Send, WebSocketScope } from '../protocol/types.ts'
import { mergeParams, PathPattern, type PathParams } from './path-pattern.ts'
import { Endpoint, Mount, firstSegment, type Route } from './routes.ts'
import { routeChannel, type RouteTrace } from './route-channel.ts'
import { sendPlain } from '../protocol/plain-response.ts'
import { refuseWebSocket } from '../protocol/refuse-websocket.ts'

export interface RouterOptions {
  /** Runs before the children start and is torn down after they stopped. */
  lifespan?: LifespanFn
  /** Bounds each child's startup step; the error names the child's path. Default: no limit. */
  startupTimeoutMs?: number
  /** Bounds each child's shutdown step; an overrun child is abandoned and the rest go on. Default: no limit. */
  shutdownTimeoutMs?: number
}

/**
 * Composes child apps. Routes are tried in order; the first full match wins.
 * @example
 * const app = router([mount('/mcp', mcp), route('GET', '/health', health), mount('/', a2a)], {
 *   async *lifespan({ state }) { const pool = await openPool(); yield { pool }; await pool.end() },
 * })
 */
export function router(routes: Route[], options: RouterOptions = {}): App {
  if (!Array.isArray(routes)) {
    throw new InvalidArgumentError(
      `router() takes an array of routes (mount() or route()), got ${routes === null ? 'null' : typeof routes}`,
    )
  }
  checkRoutes(routes)
  if (options.lifespan !== undefined && typeof options.lifespan !== 'function') {
    throw new InvalidArgumentError(`router lifespan must be an async generator function, got ${typeof options.lifespan}`)
  }
  const runLifespan = lifespanFanout(childrenOf(routes), {
    lifespan: options.lifespan,
    startupTimeoutMs: readTimeout(options.startupTimeoutMs, 'router startupTimeoutMs', Number.POSITIVE_INFINITY),
    shutdownTimeoutMs: readTimeout(options.shutdownTimeoutMs, 'router shutdownTimeoutMs', Number.POSITIVE_INFINITY),
  })
  const dispatch = dispatcher(routes)

  return function routerApp(scope, receive, send) {
    if (scope.type === 'http' || scope.type === 'websocket') return dispatch(scope, receive, send)
    if (scope.type === 'lifespan') return runLifespan(scope, receive, send)
    return Promise.reject(new ProtocolError(`router: unsupported scope type '${String((scope as { type?: unknown }).type)}'`))
  }
}

function checkRoutes(routes: unknown[]): void {
  const prefixes = new Set<string>()
  const endpoints = new Map<string, Set<string>>()
  routes.forEach((entry, index) => {
    if (entry instanceof Mount) {
      // '/t/:a' and '/t/:b' take the same paths: the second could never be reached.
      const shape = PathPattern.shape(entry.prefix)
      if (prefixes.has(shape)) throw new InvalidArgumentError(`two mounts on the prefix '${entry.prefix}'`)
      prefixes.add(shape)
    } else if (entry instanceof Endpoint) {
      const shape = PathPattern.shape(entry.path)
      const seen = endpoints.get(shape) ?? new Set<string>()
      for (const method of entry.methods) {
        if (seen.has(method)) throw new InvalidArgumentError(`two routes answer ${method} '${entry.path}'`)
        seen.add(method)
      }
      endpoints.set(shape, seen)
    } else {
      throw new InvalidArgumentError(`routes[${index}] is not a route; build it with mount() or route()`)
    }
  })
}

/** Every child app once, in route order: an app mounted twice starts once, under its first path. */
function childrenOf(routes: Route[]): Child[] {
  const seen = new Set<App>()
  const children: Child[] = []
  for (const entry of routes) {
    if (seen.has(entry.app)) continue
    seen.add(entry.app)
    children.push({ name: entry.kind === 'mount' ? entry.prefix : entry.path, app: entry.app })
  }
  return children
}

function dispatcher(routes: Route[]) {
  // Per first segment, the routes that could take a path starting with it, in route order;
  // catch-all mounts ('/') and templates starting with a parameter belong to every list and
  // alone make the fallback.
  const catchAll = routes.filter((r) => r.firstSegment === null)
  const bySegment = new Map<string, Route[]>()
  for (const entry of routes) {
    const segment = entry.firstSegment
    if (segment === null || bySegment.has(segment)) continue
    bySegment.set(
      segment,
      routes.filter((r) => r.firstSegment === null || r.firstSegment === segment),
    )
  }

  return function dispatch(scope: HttpScope | WebSocketScope, receive: Receive, send: Send): Promise<void> {
    const path = scope.path
    // A websocket handshake is a GET: route('GET', …) takes it, other methods refuse it.
    const method = scope.type === 'http' ? scope.method : 'GET'
    const candidates = bySegment.get(firstSegment(path)) ?? catchAll
    let allowed: Set<string> | null = null
    for (let i = 0; i < candidates.length; i++) {
      const entry = candidates[i]!
      if (entry.kind === 'mount') {
        if (entry.pattern !== null) {
          const found = entry.pattern.matchPrefix(path)
          if (found === null) continue
          if (routeChannel.hasSubscribers) routeChannel.publish({ scope, kind: 'mount', pattern: entry.prefix } satisfies RouteTrace)
          return entry.app(paramMountScope(scope, entry.prefix, found.params, found.end), receive, send)
        }
        if (!entry.takes(path)) continue
        if (routeChannel.hasSubscribers) routeChannel.publish({ scope, kind: 'mount', pattern: entry.prefix } satisfies RouteTrace)
        if (entry.prefix === '/') return entry.app(scope, receive, send)
        const child = {
          ...scope,
          path: entry.childPath(path),
          rootPath: scope.rootPath + entry.prefix,
          routeTemplate: (scope.routeTemplate ?? '') + entry.prefix,
        }
        return entry.app(child, receive, send)
      }
      let params: PathParams | null = null
      if (entry.pattern === null) {
        if (entry.path !== path) continue
      } else {
        params = entry.pattern.matchWhole(path)
        if (params === null) continue
      }
      if (entry.methods.has(method)) {
        if (routeChannel.hasSubscribers) routeChannel.publish({ scope, kind: 'route', pattern: entry.path } satisfies RouteTrace)
        if (params === null) return entry.app(scope, receive, send)
        return entry.app({ ...scope, pathParams: mergeParams(scope.pathParams, params) }, receive, send)
      }
      allowed ??= new Set()
      for (const method of entry.methods) allowed.add(method)
    }
    // ASGI servers answer a refused handshake with 403, whatever the reason.
    if (scope.type === 'websocket') return refuseWebSocket(send)
    if (allowed !== null) return sendPlain(send, 405, 'Method Not Allowed', [['allow', [...allowed].sort().join(', ')]])
    return sendPlain(send, 404, 'Not Found', [])
  }
}

/** The child scope of a mount with parameters: the matched text becomes the rootPath, the values pathParams. */
function paramMountScope<S extends HttpScope | WebSocketScope>(scope: S, template: string, params: PathParams, end: number): S {
  const path = scope.path
  return {
    ...scope,
    path: end === path.length ? '/' : path.slice(end),
    rootPath: scope.rootPath + path.slice(0, end),
    routeTemplate: (scope.routeTemplate ?? '') + template,
    pathParams: mergeParams(scope.pathParams, params),
  }
}
