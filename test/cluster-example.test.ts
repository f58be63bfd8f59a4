// examples/cluster.ts as a real machine: both workers answer, the scheduler ticks once in the
// primary (whatever the number of workers), and SIGTERM stops it once, exit 0. The reload
// itself is held by cluster-reload.test.ts.

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

test('the cluster example: two workers answer, the scheduler runs once in the primary, SIGTERM stops it once and exits 0', async (t) => {
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
  assert.equal((await answeringPids(url!)).size, 2, 'both workers answer')
  await sleep(300)
  child.kill('SIGTERM')
  assert.equal(await exit, 0)
  assert.equal(out.match(/scheduler started in the primary/g)?.length, 1)
  assert.equal(out.match(/worker \d+ started/g)?.length, 2, 'one startup per worker')
  const stopped = out.match(/scheduler stopped after (\d+) ticks/)
  assert.ok(stopped !== null, out)
  assert.ok(Number(stopped[1]) >= 4, `the scheduler ticked: ${stopped[1]} ticks`)
})
