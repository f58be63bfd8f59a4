// serve(), the public one: one script, three roles. Without `workers` (or with 1) it is the
// single-process server of src/serve/; with more, the process node:cluster started first is
// the primary and every process it forks is a worker running the same script.

import cluster from 'node:cluster'

import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'
import { readServeOptions, type ServeOptions } from '../serve/options.ts'
import { serve as serveOne, type Server } from '../serve/serve.ts'
import { readClusterOptions } from './options.ts'
import { servePrimary } from './primary.ts'
import { SoloServer, type ClusterServer } from './server.ts'
import { serveWorker } from './worker.ts'

/**
 * Starts `app` and listens once every startup step completed; rejects with
 * LifespanStartupError (nothing listening) when one fails.
 *
 * With `workers` (a number, or 'auto' for one per core), the same script runs as a primary and
 * as that many node:cluster workers: the primary runs `primary` hooks once, forks the workers
 * (each runs the whole lifecycle, hooks included) and resolves once all are ready. SIGTERM or
 * SIGINT to the primary shuts them all down; SIGHUP (or `reload()`) replaces them one at a time.
 * @example
 * const server = await serve(app, {
 *   onStartup: [async ({ state }) => { state.pool = await openPool() }],
 *   onShutdown: [async ({ state }) => { await state.pool.end() }], // typed by declare module 'tsgi' { interface State { pool: Pool } }
 * })
 * @example
 * await serve(app, {
 *   workers: 'auto',
 *   primary: { onStartup: [startScheduler], onShutdown: [stopScheduler] },  // once per machine
 *   onStartup: [openPool],                                                    // once per worker
 * })
 */
export function serve(app: App, options: ServeOptions & { workers: number | 'auto' }): Promise<ClusterServer>
export function serve(app: App, options?: ServeOptions): Promise<Server>
export async function serve(app: App, options: ServeOptions = {}): Promise<Server> {
  const since = performance.now()
  if (typeof app !== 'function') throw new InvalidArgumentError(`serve() needs an app function, got ${typeof app}`)
  // Read in every role, so a bad option fails in the primary before anything forks.
  const config = readServeOptions(options)
  const scaleOut = readClusterOptions(options, config)
  if (options.workers === undefined) return serveOne(app, options)
  if (scaleOut.workers === 1) return new SoloServer(await serveOne(app, options), 'single')
  if (cluster.isPrimary) return servePrimary(config, scaleOut, since)
  return serveWorker(app, options, config)
}
