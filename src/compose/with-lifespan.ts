import { lifespanFanout } from './fanout.ts'
import { functionName } from '../lifespan/lifespan-fn.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, LifespanFn } from '../protocol/types.ts'

/**
 * Wraps `app` with a lifespan of its own: `lifespan`'s setup runs before the app's startup,
 * its teardown after the app's shutdown. HTTP passes straight through.
 * @example
 * const app = withLifespan(api, async function* cache({ state }) {
 *   const cache = await warmCache(); yield { cache }; await cache.flush()
 * })
 */
export function withLifespan(app: App, lifespan: LifespanFn): App {
  if (typeof app !== 'function') throw new InvalidArgumentError(`withLifespan needs an app function, got ${typeof app}`)
  if (typeof lifespan !== 'function') {
    throw new InvalidArgumentError(`withLifespan needs an async generator function as lifespan, got ${typeof lifespan}`)
  }
  const runLifespan = lifespanFanout([{ name: functionName(app), app }], { lifespan })
  return function appWithLifespan(scope, receive, send) {
    return scope.type === 'lifespan' ? runLifespan(scope, receive, send) : app(scope, receive, send)
  }
}
