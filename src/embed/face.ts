// The Embedded face on an adapter's own value (an Express middleware, a Fastify plugin): each
// property reads through to the one embedded app, so there is one lifecycle, not two.

import type { Embedded } from './embed.ts'

export function withEmbedded<T extends object>(target: T, core: Embedded): T & Embedded {
  Object.defineProperties(target, {
    phase: { get: () => core.phase, enumerable: true },
    state: { get: () => core.state, enumerable: true },
    draining: { get: () => core.draining, enumerable: true },
    startup: { value: () => core.startup(), enumerable: true },
    close: { value: () => core.close(), enumerable: true },
    node: { value: core.node, enumerable: true },
    fetch: { value: core.fetch, enumerable: true },
    upgrade: { value: core.upgrade, enumerable: true },
    [Symbol.asyncDispose]: { value: () => core.close() },
  })
  return target as T & Embedded
}
