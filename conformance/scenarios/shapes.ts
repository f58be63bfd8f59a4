// Small builders for scenario data, so each scenario reads as its story. They return plain
// objects; nothing here runs anything.

import type { Action, AppSpec, LeafSpec, RouteSpec, RouterSpec } from './types.ts'

export const SPEC = 'SCENARIOS.md'
export const DESIGN = 'DESIGN.md "Lifespan semantics"'
export const ASGI = 'asgiref specs/lifespan.rst'
export const UVICORN = 'uvicorn tests/test_lifespan.py'
export const UVICORN_SERVER = 'uvicorn server.py'
export const HYPERCORN = 'hypercorn tests/asyncio/test_lifespan.py'
export const STARLETTE = 'Starlette tests/test_routing.py'
export const ASGI_LIFESPAN = 'asgi-lifespan tests/test_manager.py'
export const ADCP = 'AdCP SDK tests/test_serve_lifespan_hooks.py'
export const FASTIFY = "Fastify's close behaviour"

export function leaf(name: string, extra: Omit<Partial<LeafSpec>, 'kind' | 'name'> = {}): LeafSpec {
  return { kind: 'app', name, ...extra }
}

export function tree(name: string, routes: RouteSpec[], extra: Omit<Partial<RouterSpec>, 'kind' | 'name' | 'routes'> = {}): RouterSpec {
  return { kind: 'router', name, routes, ...extra }
}

/** Mounts each app under '/<its name>'. */
export function mounted(...apps: AppSpec[]): RouteSpec[] {
  return apps.map((app) => ({ mount: `/${app.name}`, app }))
}

/** The events of a startup that completed. */
export const up = (...names: string[]): string[] => names.flatMap((n) => [`${n}.startup`, `${n}.startup.complete`])
/** The events of a shutdown that completed. */
export const down = (...names: string[]): string[] => names.flatMap((n) => [`${n}.shutdown`, `${n}.shutdown.complete`])

export const boot: Action = { do: 'boot' }
export const stop: Action = { do: 'stop' }
export const bootFails: Action = { do: 'boot', expect: { ok: false } }
export const stopFails: Action = { do: 'stop', expect: { ok: false } }
