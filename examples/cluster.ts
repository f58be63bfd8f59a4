// The scheduler example on many cores: the HTTP app runs in every worker (one per core), the
// scheduler runs once, in the primary, whatever the number of workers, and keeps ticking
// through rolling reloads. Run it, curl a few times, reload, then press Ctrl-C.
//
//   npx tsx examples/cluster.ts
//   curl http://127.0.0.1:3000/          # answered by one worker or another
//   kill -HUP <primary pid>              # every worker replaced, one at a time, nothing lost
//
// The same file runs as the primary and as each worker (node:cluster's model): serve() knows
// which one it is.

import { route, router, serve, type App, type LifespanContext } from '../src/index.ts'
import { Scheduler } from './scheduler.ts'

const hello: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({ type: 'http.response.body', body: JSON.stringify({ worker: process.pid }) })
}

const workers = process.env.WORKERS === undefined ? 'auto' : Number(process.env.WORKERS)

const server = await serve(router([route('GET', '/', hello)]), {
  workers,
  // Once per machine: a scheduler here ticks once, not once per worker.
  primary: {
    onStartup: [
      function startScheduler({ state, logger }: LifespanContext) {
        state.scheduler = new Scheduler(Number(process.env.TICK_MS ?? 1_000)).start()
        logger.info(`scheduler started in the primary (pid ${process.pid})`)
      },
    ],
    onShutdown: [
      async function stopScheduler({ state, logger }: LifespanContext) {
        const scheduler = state.scheduler
        await scheduler.stop()
        logger.info(`scheduler stopped after ${scheduler.ticks} ticks`)
      },
    ],
  },
  // Once per worker: what each process needs for itself (a pool, a cache) goes here.
  onStartup: [({ logger }) => logger.info(`worker ${process.pid} started`)],
})
if (server.workers.length > 0) {
  console.info(`GET ${server.url}/ is answered by ${server.workers.length} workers; kill -HUP ${process.pid} reloads them`)
}
