// examples/cluster.ts as a real machine: both workers answer, the scheduler ticks once in the
// primary (whatever the number of workers), and SIGTERM stops it once, exit 0. The reload
// itself is held by cluster-reload.test.ts.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { request } from 'undici'

import { startExample } from './support/example.ts'
import { sleep } from './support/observe.ts'

async function answeringPids(url: string): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let i = 0; i < 20 && pids.size < 2; i++) {
    const response = await request(url, { reset: true })
    pids.add(((await response.body.json()) as { worker: number }).worker)
  }
  return pids
}

test('the cluster example: two workers answer, the scheduler runs once in the primary, SIGTERM stops it once and exits 0', async (t) => {
  const example = startExample(t, 'cluster.ts', { PORT: '0', WORKERS: '2', TICK_MS: '50' })
  const [, url] = await example.until(/GET (http:\/\/127\.0\.0\.1:\d+)\/ is answered by 2 workers/)
  assert.equal((await answeringPids(url!)).size, 2, 'both workers answer')
  await sleep(300)
  example.child.kill('SIGTERM')
  assert.equal(await example.exit, 0)
  assert.equal(example.count(/scheduler started in the primary/g), 1)
  assert.equal(example.count(/worker \d+ started/g), 2, 'one startup per worker')
  const stopped = example.output().match(/scheduler stopped after (\d+) ticks/)
  assert.ok(stopped !== null, example.output())
  assert.ok(Number(stopped[1]) >= 4, `the scheduler ticked: ${stopped[1]} ticks`)
})
