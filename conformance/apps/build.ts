// Builds a tsgi app tree and serve() options from a scenario's setup. Shared by the in-process
// driver, the scenario app run as a process, and the broken server fixture (which passes its
// own, deliberately wrong, router).

import { mount, route, router, type App, type LifespanFn, type LifespanHook, type Route, type RouterOptions } from '../../src/index.ts'
import type { AppSpec, HookSpec, LifespanFnSpec, RouterLifespanSpec, ServerSpec } from '../scenarios/types.ts'
import { leafApp } from './leaf.ts'
import { describe, named, runHook } from './steps.ts'
import type { Recorder } from './trace.ts'

export type RouterFactory = (routes: Route[], options?: RouterOptions) => App

function routerLifespan(name: string, spec: RouterLifespanSpec, record: Recorder): LifespanFn {
  return named(async function* (ctx) {
    await runHook(`${name}.setup`, spec.setup, ctx, record)
    yield spec.yields as Record<string, unknown> | undefined
    await runHook(`${name}.teardown`, spec.teardown, ctx, record)
  }, `${name}Lifespan`)
}

/** The app tree a setup describes; every app records its events through `record`. */
export function buildApp(spec: AppSpec, record: Recorder, makeRouter: RouterFactory = router): App {
  const built = new Map<string, App>()
  const build = (node: AppSpec): App => {
    if (node.kind === 'app') {
      const app = leafApp(node, record)
      built.set(node.name, app)
      return app
    }
    const routes = node.routes.map((entry): Route => {
      if ('same' in entry) {
        const app = built.get(entry.same)
        if (app === undefined) throw new Error(`scenario setup: '${entry.same}' must be built before it is mounted again`)
        return mount(entry.mount, app)
      }
      if ('mount' in entry) return mount(entry.mount, build(entry.app))
      return route(entry.methods, entry.route, build(entry.app))
    })
    const options: RouterOptions = {}
    if (node.lifespan !== undefined) options.lifespan = routerLifespan(node.name, node.lifespan, record)
    if (node.startupTimeoutMs !== undefined) options.startupTimeoutMs = node.startupTimeoutMs
    if (node.shutdownTimeoutMs !== undefined) options.shutdownTimeoutMs = node.shutdownTimeoutMs
    const app = makeRouter(routes, options)
    built.set(node.name, app)
    return app
  }
  return build(spec)
}

/**
 * The tree as the server sees it: every lifespan message it sends upward is recorded as
 * `>type` (detail: the failure message), and `>type.raised` when the server's send raised, so
 * "exactly one final message" is observable.
 */
export function buildTopApp(spec: AppSpec, record: Recorder, makeRouter: RouterFactory = router): App {
  const app = buildApp(spec, record, makeRouter)
  return function top(scope, receive, send) {
    if (scope.type !== 'lifespan') return app(scope, receive, send)
    return app(scope, receive, async (message) => {
      const type = typeof message?.type === 'string' && message.type.startsWith('lifespan.') ? message.type : null
      if (type === null) return send(message)
      const text = (message as { message?: unknown }).message
      record(`>${type}`, typeof text === 'string' ? text : undefined)
      try {
        await send(message)
      } catch (error) {
        // Refused (a protocol error), or the server's way of ending things (hypercorn raises on *.failed).
        record(`>${type}.raised`, describe(error))
        throw error
      }
    })
  }
}

function hook(kind: 'onStartup' | 'onShutdown', index: number, spec: HookSpec, record: Recorder): LifespanHook {
  return named(async (ctx) => runHook(`hook.${kind}.${index}`, spec, ctx, record), spec.name ?? `${kind}Hook${index}`)
}

function lifespanFn(index: number, spec: LifespanFnSpec, record: Recorder): LifespanFn {
  return named(async function* (ctx) {
    await runHook(`lifespan.${index}.setup`, spec.setup, ctx, record)
    yield spec.yields as Record<string, unknown> | undefined
    await runHook(`lifespan.${index}.teardown`, spec.teardown, ctx, record)
  }, spec.name ?? `lifespanFn${index}`)
}

/** The serve() options a ServerSpec asks for (everything but port, host, signals and logger). */
export interface ScenarioServeOptions {
  onStartup?: LifespanHook[]
  onShutdown?: LifespanHook[]
  lifespan?: LifespanFn[]
  startupTimeoutMs?: number
  shutdownTimeoutMs?: number
  drainTimeoutMs?: number
  shutdownDelayMs?: number
  health?: boolean
  logDetails?: boolean
}

export function buildServeOptions(spec: ServerSpec | undefined, record: Recorder): ScenarioServeOptions {
  const options: ScenarioServeOptions = {}
  if (spec === undefined) return options
  if (spec.onStartup !== undefined) options.onStartup = spec.onStartup.map((h, i) => hook('onStartup', i, h, record))
  if (spec.onShutdown !== undefined) options.onShutdown = spec.onShutdown.map((h, i) => hook('onShutdown', i, h, record))
  if (spec.lifespan !== undefined) options.lifespan = spec.lifespan.map((l, i) => lifespanFn(i, l, record))
  if (spec.startupTimeoutMs !== undefined) options.startupTimeoutMs = spec.startupTimeoutMs
  if (spec.shutdownTimeoutMs !== undefined) options.shutdownTimeoutMs = spec.shutdownTimeoutMs
  if (spec.drainTimeoutMs !== undefined) options.drainTimeoutMs = spec.drainTimeoutMs
  if (spec.logDetails !== undefined) options.logDetails = spec.logDetails
  if (spec.shutdownDelayMs !== undefined) options.shutdownDelayMs = spec.shutdownDelayMs
  if (spec.health !== undefined) options.health = spec.health
  return options
}
