// The seed example: background work tied to the server's life. A scheduler starts in
// onStartup, before the port opens, and onShutdown stops it (and waits for the tick in
// progress) after the last request drained. Run it, curl /ticks, then press Ctrl-C.
//
//   npx tsx examples/scheduler-lifespan.ts
//   curl http://127.0.0.1:3000/ticks

import { route, router, serve, type App, type LifespanContext } from '../src/index.ts'
import { Scheduler } from './scheduler.ts'

const ticks: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const scheduler = scope.state.scheduler
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({ type: 'http.response.body', body: JSON.stringify({ ticks: scheduler.ticks }) })
}

const server = await serve(router([route('GET', '/ticks', ticks)]), {
  onStartup: [
    function startScheduler({ state, logger }: LifespanContext) {
      state.scheduler = new Scheduler(Number(process.env.TICK_MS ?? 250)).start()
      logger.info('scheduler started')
    },
  ],
  onShutdown: [
    async function stopScheduler({ state, logger }: LifespanContext) {
      const scheduler = state.scheduler
      await scheduler.stop()
      logger.info(`scheduler stopped after ${scheduler.ticks} ticks`)
    },
  ],
})
console.info(`GET ${server.url}/ticks reports the scheduler's ticks; Ctrl-C stops it gracefully`)
