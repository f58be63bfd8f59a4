// Replicas of an A2A agent with tasks in a real PostgreSQL, under A2A load, through the things
// that happen in production: a rolling restart of every replica behind a balancer, and the
// database itself stopping for 3 s and coming back.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { GetTaskRequest, SendMessageRequest } from '@a2a-js/sdk'
import { Pool } from 'undici'
import { sendParams } from './fixtures/a2a-executor.ts'
import { Balancer, type Backend } from './support/balancer.ts'
import { freePort, sleep } from './support/observe.ts'
import { postgresMissing, startPostgres, type Postgres } from './support/postgres.ts'
import { startFixture, waitForPort, type Running } from './support/process.ts'

const skip = postgresMissing()
const fixture = new URL('./fixtures/a2a-replica.ts', import.meta.url).pathname

let db: Postgres
const children: Running[] = []
before(async () => {
  if (skip === undefined) db = await startPostgres()
})
after(() => {
  for (const running of children) running.child.kill('SIGKILL')
  db?.remove()
})

async function replica(name: string): Promise<Backend & { running: Running }> {
  // The shutdown delay outlasts the balancer's 300 ms propagation, as in a real rollout.
  const running = startFixture(fixture, { REPLICA: name, DATABASE_URL: db.url, TSGI_SHUTDOWN_DELAY_MS: '600' }, await freePort())
  children.push(running)
  await waitForPort(running, 60_000)
  return { name, url: running.url, child: running.child, running }
}

interface Answer {
  status: number
  retryAfter: string | undefined
  body: {
    result?: { task?: { id: string; status: { state: string } }; id?: string; status?: { state: string } }
    error?: { message: string }
  }
  at: number
}

let rpcId = 0
async function rpc(pool: Pool, method: string, params: unknown): Promise<Answer> {
  const response = await pool.request({
    path: '/',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    // Never a hang: a request that takes this long fails the test.
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  })
  const text = await response.body.text()
  const retryAfter = response.headers['retry-after']
  return {
    status: response.statusCode,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    body: JSON.parse(text),
    at: Date.now(),
  }
}

const send = (pool: Pool) => rpc(pool, 'SendMessage', SendMessageRequest.toJSON(sendParams('quick task')))
const get = (pool: Pool, id: string) => rpc(pool, 'GetTask', GetTaskRequest.toJSON({ tenant: '', id, historyLength: undefined }))

/** Callers in a loop, each a SendMessage then a GetTask of the task it made; every answer kept. */
function a2aLoad(pools: Pool[], callers: number) {
  const answers: Answer[] = []
  const finished = new Map<string, string>()
  const failures: string[] = []
  let stopping = false
  let turn = 0
  const caller = async (): Promise<void> => {
    while (!stopping) {
      const pool = pools[turn++ % pools.length]!
      try {
        const sent = await send(pool)
        answers.push(sent)
        const task = sent.body.result?.task
        if (sent.status === 200 && task === undefined) failures.push(`SendMessage answered ${JSON.stringify(sent.body)}`)
        if (task === undefined) {
          await sleep(50)
          continue
        }
        finished.set(task.id, task.status.state)
        const found = await get(pools[turn++ % pools.length]!, task.id)
        answers.push(found)
        if (found.status === 200 && found.body.result?.id !== task.id) failures.push(`GetTask answered ${JSON.stringify(found.body)}`)
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
  }
  const running = Promise.all(Array.from({ length: callers }, caller))
  return {
    answers,
    finished,
    failures,
    async stop(): Promise<void> {
      stopping = true
      await running
    },
  }
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

test('a rolling restart of both replicas under A2A load fails no request, and every finished task is still found', { skip }, async () => {
  const [a, b] = await Promise.all([replica('a'), replica('b')])
  const balancer = new Balancer([a, b])
  const pool = new Pool(await balancer.listen(), { connections: 8 })
  const load = a2aLoad([pool], 6)
  try {
    await until(() => load.finished.size >= 20, 30_000, 'the load to warm up')
    for (const [old, next] of [
      [a, 'a2'],
      [b, 'b2'],
    ] as const) {
      const replacement = replica(next)
      await balancer.terminate(old, 300)
      assert.equal(await old.running.exit, 0, `${old.name} stopped cleanly`)
      balancer.add(await replacement)
      const before = load.finished.size
      await until(() => load.finished.size >= before + 20, 30_000, `load through ${next}`)
    }
  } finally {
    await load.stop()
  }
  assert.deepEqual(
    load.failures.slice(0, 3),
    [],
    `no request failed at the client; replicas said: ${[a, b].map((r) => r.running.stderr()).join('')}`,
  )
  assert.equal(balancer.counts.failed, 0, `failed at the balancer: ${JSON.stringify(balancer.counts.errors)}`)
  assert.ok(load.answers.every((answer) => answer.status === 200))
  // Every task that finished is found, as it finished, through the replicas that replaced both.
  const lost: string[] = []
  for (const [id, state] of load.finished) {
    const found = await get(pool, id)
    if (found.body.result?.status?.state !== state) lost.push(`${id}: ${JSON.stringify(found.body)}`)
  }
  assert.deepEqual(lost, [], `${load.finished.size} finished tasks, all found`)
  await pool.close()
  await balancer.close()
})

test('the database stopped for 3 s under load: 503 with Retry-After in the gap, never a hang or internal text, and recovery without a restart', {
  skip,
}, async () => {
  const [c, d] = await Promise.all([replica('c'), replica('d')])
  const pools = [new Pool(c.url, { connections: 4 }), new Pool(d.url, { connections: 4 })]
  const load = a2aLoad(pools, 4)
  let stoppedAt = 0
  let startedAt = 0
  try {
    await until(() => load.finished.size >= 10, 30_000, 'the load to warm up')
    await db.stop()
    stoppedAt = Date.now()
    await sleep(3_000)
    await db.start()
    startedAt = Date.now()
    const before = load.finished.size
    await until(() => load.finished.size >= before + 20, 30_000, 'the load to recover').catch((error: Error) => {
      const said = [c, d].map((r) => `${r.name} (exit ${r.running.child.exitCode}): ${r.running.stderr().slice(-3000)}`).join('\n')
      throw new Error(`${error.message}; ${load.failures.length} failures (${load.failures.slice(-3)}); replicas said: ${said}`)
    })
    await sleep(1_000)
  } finally {
    await load.stop()
    for (const pool of pools) await pool.close()
  }
  const said = [c, d].map((r) => `${r.name} (exit ${r.running.child.exitCode}): ${r.running.stderr().slice(-1500)}`).join('\n')
  assert.deepEqual(load.failures.slice(0, 3), [], `every request was answered (none hung, none cut off); replicas said: ${said}`)
  const statuses = new Set(load.answers.map((answer) => answer.status))
  assert.deepEqual([...statuses].sort(), [200, 503], 'answers were 200, or 503 while the database was away')
  const unavailable = load.answers.filter((answer) => answer.status === 503)
  for (const answer of unavailable) {
    assert.equal(answer.retryAfter, '1')
    assert.equal(answer.body.error?.message, 'Service Unavailable: the task database cannot be reached; try again shortly')
  }
  const inGap = unavailable.filter((answer) => answer.at >= stoppedAt && answer.at <= startedAt + 500)
  assert.ok(inGap.length > 0, 'requests during the gap got 503')
  // Back within a second of the server's return, without restarting any replica.
  const late = load.answers.filter((answer) => answer.at > startedAt + 1_000 && answer.status !== 200)
  assert.deepEqual(late, [], 'no 503 a second after the database was back')
  assert.ok(
    load.answers.some((answer) => answer.at > startedAt + 1_000 && answer.body.result?.task?.status.state === 'TASK_STATE_COMPLETED'),
    'tasks complete again after the gap',
  )
  assert.equal(c.running.child.exitCode, null, 'replica c never restarted')
  assert.equal(d.running.child.exitCode, null, 'replica d never restarted')
  for (const answer of load.answers) assert.doesNotMatch(JSON.stringify(answer.body), /ECONN|57P0|terminat|postgres|not-a-real-secret/i)
})
