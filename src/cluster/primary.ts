// The primary's side: its own lifecycle (the `primary` hooks and lifespans, run once per
// machine) with the pool of workers as its host: "listen" forks the workers and waits until
// every one is ready, "drain" stops them all. The primary owns the signals: the first
// SIGINT/SIGTERM shuts everything down, a second kills the workers and exits, SIGHUP reloads.

import { LifecycleRunner, type Host } from '../lifecycle/runner.ts'
import { describeError } from '../protocol/errors.ts'
import type { ServeConfig } from '../serve/options.ts'
import type { ClusterConfig } from './options.ts'
import { WorkerPool } from './pool.ts'
import { PrimaryServer, type ClusterServer } from './server.ts'
// What the workers share through the primary, loaded for its effect: each module provides its
// service (hub.ts) as it loads, broadcasts and secrets made once per machine.
import './broadcast.ts'
import './shared-secret.ts'

export async function servePrimary(serve: ServeConfig, config: ClusterConfig, since: number): Promise<ClusterServer> {
  const { logger } = serve
  const pool = new WorkerPool(config, serve, since)
  const host: Host = {
    listenName: 'workers',
    get listening() {
      return pool.alive > 0
    },
    listen: (_, timing) => pool.boot(timing),
    drain: (_, timing) => pool.shutdown(timing),
  }
  const runner = new LifecycleRunner(null, host, config.primary, since)
  const handlesSignals = serve.signals.length > 0
  // process.exit() (a second signal, a give-up) runs no shutdown: the workers go with it.
  const killWorkers = (): void => pool.killAll()
  process.on('exit', killWorkers)
  const reloadOnHangup = (): void => {
    logger.info('tsgi: SIGHUP received; replacing the workers one at a time')
    pool.reload().then(
      () => logger.info('tsgi: reload done; every worker is new'),
      (error: unknown) => logger.error(`tsgi: the reload stopped (${describeError(error)}); the old workers that were left keep serving`),
    )
  }
  if (handlesSignals) process.on('SIGHUP', reloadOnHangup)
  void runner.closed.then(() => {
    process.off('SIGHUP', reloadOnHangup)
    process.off('exit', killWorkers)
  })

  pool.onGiveUp = () => {
    runner
      .close()
      .catch(() => undefined)
      .finally(() => {
        // As after a signal: a crash loop ends the process, so the supervisor above sees it.
        if (handlesSignals) process.exit(1)
      })
  }

  await runner.start()
  logger.info(`tsgi: listening on ${pool.url} with ${config.workers} workers`)
  return new PrimaryServer(runner, pool)
}
