// The cluster side of the workers suite: the suite's app on serve({ workers: 2 }). Its CPU time
// is the primary's plus both workers', each worker asked over the cluster's IPC channel.

import cluster, { type Worker } from 'node:cluster'

import { serveBenchMcp } from './app.ts'

const CPU_QUESTION = 'bench-cpu'

function cpuNow(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

function askCpu(worker: Worker): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'benchCpu' in message) {
        worker.off('message', onMessage)
        resolve(Number(message.benchCpu))
      }
    }
    worker.on('message', onMessage)
    worker.send(CPU_QUESTION)
  })
}

/** Serves the suite's app on two workers and answers the runner's questions from the primary. */
export async function serveOnTwoWorkers(): Promise<void> {
  const server = await serveBenchMcp({ workers: 2 })
  if (cluster.isPrimary) {
    process.on('message', async (message) => {
      if (message !== 'cpu') return
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
      const perWorker = await Promise.all(workers.map(askCpu))
      process.send?.({ cpuMicros: cpuNow() + perWorker.reduce((a, b) => a + b, 0) })
    })
    process.send?.({ port: Number(new URL(server.url).port) })
    process.on('disconnect', () => {
      void server.close().finally(() => process.exit(0))
    })
  } else {
    process.on('message', (message) => {
      if (message === CPU_QUESTION) process.send?.({ benchCpu: cpuNow() })
    })
  }
}
