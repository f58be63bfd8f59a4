// examples/cluster.ts as a real machine: both workers answer, SIGHUP replaces them while the
// primary's scheduler keeps its one count, and SIGTERM stops the scheduler once, exit 0.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'

import { request } from 'undici'

import { sleep } from './support/observe.ts'

const example = new URL('../examples/cluster.ts', import.meta.url).pathname

async function until(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const match = read().match(pattern)
    if (match !== null) return match
    await sleep(20)
  }
  throw new Error(`no ${pattern} in:\n${read()}`)
}

async function answeringPids(url: string): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let i = 0; i < 20 && pids.size < 2; i++) {
    const response = await request(url, { reset: true })
    pids.add(((await response.body.json()) as { worker: number }).worker)
  }
  return pids
}

test('the cluster example: two workers answer, SIGHUP replaces both, the scheduler ran once in the primary throughout', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', example], {
    env: { ...process.env, PORT: '0', WORKERS: '2', TICK_MS: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  })
  let out = ''
  child.stdout.on('data', (chunk) => (out += chunk))
  child.stderr.on('data', (chunk) => (out += chunk))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const [, url] = await until(() => out, /GET (http:\/\/127\.0\.0\.1:\d+)\/ is answered by 2 workers/)
  const before = await answeringPids(url!)
  assert.equal(before.size, 2)
  child.kill('SIGHUP')
  await until(() => out, /reload done; every worker is new/, 30_000)
  const after = await answeringPids(url!)
  assert.equal(after.size, 2)
  for (const pid of after) assert.ok(!before.has(pid), `worker ${pid} is new`)
  child.kill('SIGTERM')
  assert.equal(await exit, 0)
  assert.equal(out.match(/scheduler started in the primary/g)?.length, 1)
  assert.equal(out.match(/worker \d+ started/g)?.length, 4, 'two workers, then their two replacements')
  const stopped = out.match(/scheduler stopped after (\d+) ticks/)
  assert.ok(stopped !== null, out)
  assert.ok(Number(stopped[1]) >= 10, `the scheduler kept ticking through the reload: ${stopped[1]} ticks`)
})
