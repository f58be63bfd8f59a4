// The worker's side: the whole single-process lifecycle (serve()), reported to the primary
// once it listens, and stopped only the ways the primary asks. The primary owns the signals: a
// Ctrl-C reaches the whole process group, and a worker that acted on it too would shut down
// twice over. A worker whose primary disappeared runs its own graceful shutdown.

import cluster from 'node:cluster'

import { closeWith } from '../serve/retire.ts'
import { serve as serveOne, type Server } from '../serve/serve.ts'
import type { ServeConfig, ServeOptions } from '../serve/options.ts'
import type { App } from '../protocol/types.ts'
import { isPrimaryMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts'
import { SoloServer, type ClusterServer } from './server.ts'

function tellPrimary(message: WorkerMessage): void {
  // A primary that died has no channel; the 'disconnect' handler below takes over then.
  if (process.connected) process.send!(message, undefined, undefined, () => undefined)
}

export async function serveWorker(app: App, options: ServeOptions, config: ServeConfig): Promise<ClusterServer> {
  // node:cluster makes a worker exit at once, code 0, when its channel to the primary closes
  // unexpectedly (the primary was SIGKILLed): no drain, no onShutdown. Marking the exit as
  // planned leaves that moment to the 'disconnect' handler, which shuts down gracefully.
  cluster.worker!.exitedAfterDisconnect = true
  const ignored = config.signals.length === 0 ? [] : [...new Set<NodeJS.Signals>([...config.signals, 'SIGHUP'])]
  const ignore = (signal: NodeJS.Signals): void => config.logger.debug(`tsgi: worker ${process.pid} leaves ${signal} to the primary`)
  for (const signal of ignored) process.on(signal, ignore)

  let server: Server | null = null
  let requested: PrimaryMessage | null = null
  let stopping: Promise<void> | null = null
  const stop = (message: PrimaryMessage): Promise<void> => {
    requested ??= message
    if (server === null) return Promise.resolve() // It stops as soon as its startup finished.
    stopping ??= stopAndExit(server, requested)
    return stopping
  }
  process.on('message', (message: unknown) => {
    if (isPrimaryMessage(message)) void stop(message)
  })
  process.once('disconnect', () => {
    config.logger.warn(`tsgi: worker ${process.pid} lost its primary; shutting down gracefully`)
    void stop({ tsgi: 'cluster', type: 'shutdown' })
  })

  try {
    server = await serveOne(app, { ...options, signals: false })
  } catch (error) {
    tellPrimary({ tsgi: 'cluster', type: 'startup-failed', message: error instanceof Error ? error.message : String(error) })
    throw error
  }
  // The worker's startup tree goes along, so the primary's tree shows every worker's parts.
  tellPrimary({ tsgi: 'cluster', type: 'ready', port: Number(new URL(server.url).port), timings: server.timings.startup })
  if (requested !== null) void stop(requested)
  // A worker closed from its own code stops the same way, and its primary restarts it.
  return new SoloServer(server, 'worker', () => stop({ tsgi: 'cluster', type: 'shutdown' }))
}

/** Retires or shuts down, then exits: 0 when every step was clean, 1 otherwise (the runner logged which). */
async function stopAndExit(server: Server, message: PrimaryMessage): Promise<never> {
  let code = 0
  try {
    // Retiring, the listener closes first: node:cluster's primary stops handing this worker
    // connections, and one it is handing over right now is still taken (or handed back) because
    // the process lives on through the grace. A worker that exited at once would leave such a
    // connection in limbo, never answered and never closed.
    if (message.type === 'retire') await closeWith(server, { delayMs: message.graceMs, stopAccepting: true })
    else await server.close()
  } catch {
    code = 1
  }
  process.exit(code)
}
