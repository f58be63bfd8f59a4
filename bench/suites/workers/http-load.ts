// The workers suite's load: autocannon keeps every connection alive and has no way to open one
// per request, so this drives node:http itself, `connections` calls in flight at any time. A
// request whose headers say `connection: close` goes on a socket of its own (agent: false), the
// others share keep-alive sockets; either way the same generator, so the two stay comparable.

import { Agent, request } from 'node:http'

import type { LoadOptions, LoadRequest, LoadResult } from '../../autocannon.ts'

function call(url: URL, shape: LoadRequest, agent: Agent | false): Promise<number> {
  const body = shape.body ?? ''
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: shape.path,
        method: shape.method,
        headers: { ...shape.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent,
      },
      (answer) => {
        answer.resume()
        answer.once('end', () => resolve(answer.statusCode ?? 0))
        answer.once('error', reject)
      },
    )
    outgoing.once('error', reject)
    outgoing.end(body)
  })
}

export async function httpLoad(options: LoadOptions): Promise<LoadResult> {
  const template = options.requests![0]!
  const fresh = template.headers?.connection === 'close'
  const agent = fresh ? false : new Agent({ keepAlive: true, maxSockets: options.connections })
  const url = new URL(options.url)
  const latencies: number[] = []
  let errors = 0
  let non2xx = 0
  const began = performance.now()
  const deadline = began + options.duration * 1000
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const shape = template.setupRequest?.(template) ?? template
        const sent = performance.now()
        try {
          const status = await call(url, shape, agent)
          if (status < 200 || status > 299) non2xx++
          latencies.push(performance.now() - sent)
        } catch {
          errors++
        }
      }
    }),
  )
  if (agent !== false) agent.destroy()
  const seconds = (performance.now() - began) / 1000
  latencies.sort((a, b) => a - b)
  const total = latencies.length
  return {
    duration: seconds,
    requests: { average: total / seconds, total },
    latency: {
      p99: latencies[Math.min(total - 1, Math.floor(total * 0.99))] ?? 0,
      average: latencies.reduce((a, b) => a + b, 0) / Math.max(1, total),
    },
    errors,
    timeouts: 0,
    non2xx,
  }
}
