// The load of the websocket suite: `connections` ws clients, each sending a message and waiting
// for its echo before the next one (a round trip), for `duration` seconds. Its result has the
// shape of autocannon's, so the runner reports round trips per second like requests per second.

import WebSocket from 'ws'

import type { LoadOptions, LoadResult } from './autocannon.ts'

const MESSAGE = 'x'.repeat(64)

function opened(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url)
    client.once('open', () => resolve(client))
    client.once('error', reject)
  })
}

export async function websocketLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: options.connections }, () => opened(options.url)))
  let total = 0
  let errors = 0
  const latencies: number[] = []
  const started = performance.now()
  const until = started + options.duration * 1000
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          let sentAt = 0
          const next = (): void => {
            if (performance.now() >= until) {
              resolve()
              return
            }
            sentAt = performance.now()
            client.send(MESSAGE)
          }
          client.on('message', (data) => {
            if (String(data) !== MESSAGE) errors++
            total++
            // One sample in 16 keeps the latency list small.
            if ((total & 15) === 0) latencies.push(performance.now() - sentAt)
            next()
          })
          client.once('close', () => resolve())
          next()
        }),
    ),
  )
  const duration = (performance.now() - started) / 1000
  await Promise.all(
    clients.map((client) => {
      const closed = new Promise((resolve) => client.once('close', resolve))
      client.close()
      return closed
    }),
  )
  latencies.sort((a, b) => a - b)
  return {
    duration,
    requests: { total, average: total / duration },
    latency: {
      p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
      average: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    errors,
    timeouts: 0,
    non2xx: 0,
  }
}
