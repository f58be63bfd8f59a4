// For frameworks without lifecycle hooks (Express, Hono), a user writes the startup work as
// code that runs before the server listens and the cleanup as code the signal handler calls.
// This lists both the way such a user would: one entry per module, in the order the modules
// are mounted (a router's own setup before its children's), each module once however often
// its routes are mounted.

import type { Recorder } from '../../apps/trace.ts'
import { reported } from './contract.ts'
import type { AppSpec } from '../../scenarios/types.ts'
import { hasLifecycle, routerSetupOf, routerTeardownOf, shutdownOf, startupOf, type State, type Work } from './work.ts'

export interface PlainLifecycle {
  /** Awaited one after the other before listen. */
  startups: Work[]
  /** In the same (mount) order; each framework's recipe says how they are called. */
  cleanups: Work[]
}

export function plainLifecycle(spec: AppSpec, state: State, record: Recorder): PlainLifecycle {
  const startups: Work[] = []
  const cleanups: Work[] = []
  const visit = (node: AppSpec): void => {
    if (node.kind === 'app') {
      if (!hasLifecycle(node)) return
      startups.push(startupOf(node, state, record))
      cleanups.push(shutdownOf(node, state, record))
      return
    }
    if (node.lifespan !== undefined) {
      startups.push(routerSetupOf(node, state, record))
      cleanups.push(routerTeardownOf(node, state, record))
    }
    for (const entry of node.routes) if ('app' in entry) visit(entry.app)
  }
  visit(spec)
  return { startups, cleanups }
}

/**
 * What such a user writes before listen: the startups one after the other, and on a failure a
 * log line and exit code 1, since nothing is listening yet.
 */
export async function startOrExit(startups: Work[]): Promise<void> {
  try {
    await reported('startup', async () => {
      for (const startup of startups) await startup()
    })
  } catch (error) {
    console.error('startup failed:', error)
    process.exit(1)
  }
}
