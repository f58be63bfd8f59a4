// tsgi through serve({ workers: 2 }): the tsgi-serve app on two node:cluster workers sharing
// the port, against the one process of tsgi-serve in the same run. Its CPU time is the
// primary's plus every worker's, each asked over the cluster's IPC channel.

import cluster, { type Worker } from 'node:cluster'

import { mount, router, serve } from '../../../../src/index.ts'
import { hello } from '../hello.ts'

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

const server = await serve(router([mount('/api', hello), mount('/', hello)]), {
  port: 0,
  host: '127.0.0.1',
  workers: 2,
  signals: false,
  logger: false,
})

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
