// Route values and their matching. Matching returns a verdict and never touches the scope
// (Starlette's matches/handle split); the router builds the child scope only after a verdict.

import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'

/** A prefix mount: '/mcp' takes '/mcp', '/mcp/' and '/mcp/x', never '/mcpx'. '/' takes everything. */
export class Mount {
  readonly kind = 'mount'
  constructor(
    readonly prefix: string,
    readonly app: App,
  ) {}

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

  get firstSegment(): string | null {
    return this.prefix === '/' ? null : firstSegment(this.prefix)
  }
}

/** An exact path with the methods it answers; any other method on the path gets 405. */
export class Endpoint {
  readonly kind = 'route'
  constructor(
    readonly path: string,
    readonly methods: ReadonlySet<string>,
    readonly app: App,
  ) {}

  get firstSegment(): string {
    return firstSegment(this.path)
  }
}

export type Route = Mount | Endpoint

/** 'x' for '/x/y', '' for '/'. Paths always start with '/'. */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1)
  return end === -1 ? path.slice(1) : path.slice(1, end)
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
 * grown by it.
 * @example router([mount('/mcp', mcpApp), mount('/', a2aApp)])
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
 * 'GET' answers 'HEAD' too.
 * @example route('GET', '/health', healthApp)
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
