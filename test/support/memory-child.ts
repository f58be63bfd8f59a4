// Starts test/fixtures/memory-host.ts in a child with --expose-gc and a 160 MB heap, and
// drives it over IPC: measure() asks for its RSS after a GC. The child is killed in stop().

import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'

export interface Measure {
  rss: number
  heap: number
  sessions: number
}

export interface MemoryChild {
  port: number
  child: ChildProcess
  measure(): Promise<Measure>
  /** True while the child runs (it did not die of heap exhaustion). */
  alive(): boolean
  stop(): Promise<void>
}

const script = fileURLToPath(new URL('../fixtures/memory-host.ts', import.meta.url))

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ])
}

export async function startMemoryChild(env: Record<string, string>): Promise<MemoryChild> {
  // Without coverage collection: under c8 it would slow this load several times over, and the
  // code it runs is covered by the in-process tests.
  const { NODE_V8_COVERAGE: _coverage, ...inherited } = process.env
  const child = fork(script, [], {
    // The young generation is pinned at Node 20's size for this heap (16 MB semi-spaces): Node
    // 24's V8 lets it grow to 64 MB semi-spaces, so RSS then measured the young generation's
    // growth (+130 MB with a flat heap) rather than the server's, and its scavenges of 1,000
    // live sessions made the 20,000-session load take minutes instead of seconds.
    execArgv: ['--expose-gc', '--max-old-space-size=160', '--max-semi-space-size=16', '--import', 'tsx'],
    env: { ...inherited, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let exited = false
  child.once('exit', () => (exited = true))
  const [ready] = (await within(once(child, 'message'), 20_000, 'the memory child to listen')) as [{ port: number }]
  return {
    port: ready.port,
    child,
    alive: () => !exited,
    async measure() {
      child.send('measure')
      const [answer] = (await within(once(child, 'message'), 10_000, 'a measurement')) as [Measure]
      return answer
    },
    async stop() {
      if (exited) return
      child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await once(child, 'exit').catch(() => undefined)
      clearTimeout(timer)
    },
  }
}

/** One POST over a fresh request; resolves with the status (0 when the connection failed). */
export function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(0))
      },
    )
    req.on('error', () => resolve(0))
    req.end(body)
  })
}

/** Runs `one(i)` for i < total, `concurrency` at a time. */
export async function inParallel(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++)
    }),
  )
}
