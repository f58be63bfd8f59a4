// Route values and their matching. Matching returns a verdict and never touches the scope
// (Starlette's matches/handle split); the router builds the child scope only after a verdict.

import { PathPattern } from './path-pattern.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'

/**
 * A prefix mount: '/mcp' takes '/mcp', '/mcp/' and '/mcp/x', never '/mcpx'. '/' takes everything.
 * `prefix` is the declared template ('/t/:tenant'); `pattern` is null when it has no parameter.
 */
export class Mount {
  readonly kind = 'mount'
  readonly pattern: PathPattern | null
  constructor(
    readonly prefix: string,
    readonly app: App,
  ) {
    this.pattern = PathPattern.parse(prefix, `mount('${prefix}')`)
  }

  /** Whether this mount takes `path` (a decoded path relative to the parent's rootPath). */
  takes(path: string): boolean {
    if (this.prefix === '/') return true
    return path.startsWith(this.prefix) && (path.length === this.prefix.length || path.charCodeAt(this.prefix.length) === 47)
  }

  /** The path the child sees: what remains after the prefix, '/' when nothing does. */
  childPath(path: string): string {
    if (this.prefix === '/') return path
    return path.length === this.prefix.length ? '/' : path.slice(this.prefix.length)
  }

  /** null when any first segment may match ('/', or a parameter first): such a mount is tried for every path. */
  get firstSegment(): string | null {
    return this.prefix === '/' ? null : literalFirstSegment(this.prefix)
  }
}

/**
 * An exact path with the methods it answers; any other method on the path gets 405. `path` is
 * the declared template ('/items/:id'); `pattern` is null when it has no parameter.
 */
export class Endpoint {
  readonly kind = 'route'
  readonly pattern: PathPattern | null
  constructor(
    readonly path: string,
    readonly methods: ReadonlySet<string>,
    readonly app: App,
  ) {
    this.pattern = PathPattern.parse(path, `route('${path}')`)
  }

  get firstSegment(): string | null {
    return literalFirstSegment(this.path)
  }
}

export type Route = Mount | Endpoint

/** 'x' for '/x/y', '' for '/'. Paths always start with '/'. */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1)
  return end === -1 ? path.slice(1) : path.slice(1, end)
}

/** A template's first segment, or null when it is a parameter (any segment may match). */
function literalFirstSegment(template: string): string | null {
  const segment = firstSegment(template)
  return segment.startsWith(':') ? null : segment
}

const methodToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function checkApp(app: unknown, where: string): asserts app is App {
  if (typeof app !== 'function') throw new InvalidArgumentError(`${where} needs an app function, got ${describe(app)}`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `the string '${value}'` : typeof value
}

/**
 * Mounts `app` under `prefix`. The child sees `path` relative to the prefix and `rootPath`
 * grown by it. A `:name` segment takes any one segment, found in `scope.pathParams.name`.
 * @example router([mount('/mcp', mcp), mount('/t/:tenant', tenantApp), mount('/', a2a)]) // apps, e.g. mcp = mcpApp({ server })
 */
export function mount(prefix: string, app: App): Mount {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw new InvalidArgumentError(`mount prefix must start with '/', got ${describe(prefix)}`)
  }
  if (prefix !== '/' && prefix.endsWith('/')) {
    throw new InvalidArgumentError(`mount prefix must not end with '/', got '${prefix}' (use '${prefix.replace(/\/+$/, '')}')`)
  }
  if (/[?#]/.test(prefix) || prefix.includes('//')) {
    throw new InvalidArgumentError(`mount prefix must be a plain path, got '${prefix}'`)
  }
  checkApp(app, `mount('${prefix}')`)
  return new Mount(prefix, app)
}

/**
 * Answers `methods` on exactly `path`; other methods on that path get 405 with `Allow`.
 * 'GET' answers 'HEAD' too. A `:name` segment takes any one segment, found in `scope.pathParams.name`.
 * @example route('GET', '/health', healthApp)
 * @example route('GET', '/items/:id', itemApp) // '/items/42' -> scope.pathParams.id === '42'
 */
export function route(methods: string | string[], path: string, app: App): Endpoint {
  const list = typeof methods === 'string' ? [methods] : methods
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError(`route methods must be a method name or a non-empty array of them, got ${describe(methods)}`)
  }
  const set = new Set<string>()
  for (const method of list) {
    if (typeof method !== 'string' || !methodToken.test(method)) {
      throw new InvalidArgumentError(`route method must be an HTTP method token, got ${describe(method)}`)
    }
    set.add(method.toUpperCase())
  }
  if (set.has('GET')) set.add('HEAD')
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#]/.test(path)) {
    throw new InvalidArgumentError(`route path must start with '/' and hold no query, got ${describe(path)}`)
  }
  checkApp(app, `route('${path}')`)
  return new Endpoint(path, set, app)
}
