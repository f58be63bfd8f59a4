// `tsx bench/a2a-postgres.ts`: A2A with tasks in PostgreSQL (postgresTasks) against the default
// in-memory store, in one run on a throwaway PostgreSQL (Debian's postgresql package): GetTask
// and SendMessage req/s for both, in alternating slices so a drifting shared machine affects
// them alike (the ratio is the figure), then the time from CancelTask sent to replica B to the
// cancel reaching the executor on replica A (median, p99). Everything runs in this process
// (the load generator too), so absolute numbers are low; compare the ratios.
//
// Env: BENCH_SLICE_MS (default 1000), BENCH_SLICES (per contender and call, default 4),
// BENCH_CALLERS (concurrent callers, default 16), BENCH_CANCELS (default 50).

import { GetTaskRequest, SendMessageRequest } from '@a2a-js/sdk'
import type { AgentExecutor } from '@a2a-js/sdk/server'
import { Pool } from 'undici'
import { postgresTasks } from '../src/a2a-postgres/postgres-tasks.ts'
import { a2aApp } from '../src/a2a/app.ts'
import { StepsExecutor, sendParams } from '../test/fixtures/a2a-executor.ts'
import { host, type Hosted } from '../test/fixtures/agent-host.ts'
import { startPostgres } from '../test/support/postgres.ts'

const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 1_000)
const slices = Number(process.env.BENCH_SLICES ?? 4)
const callers = Number(process.env.BENCH_CALLERS ?? 16)
const cancels = Number(process.env.BENCH_CANCELS ?? 50)
const card = { name: 'Bench agent', description: 'Runs one quick step per task' }

let id = 0
async function rpc(pool: Pool, method: string, params: unknown): Promise<{ status: number; body: { result?: { task?: { id: string } } } }> {
  const response = await pool.request({
    path: '/',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  })
  return { status: response.statusCode, body: (await response.body.json()) as { result?: { task?: { id: string } } } }
}

const sendBody = () => SendMessageRequest.toJSON(sendParams('quick task'))
const getBody = (taskId: string) => GetTaskRequest.toJSON({ tenant: '', id: taskId, historyLength: undefined })

/** Requests per second of `call` with `callers` at once, for `ms`. */
async function slice(call: () => Promise<number>, ms: number): Promise<number> {
  let done = 0
  let bad = 0
  const until = Date.now() + ms
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < until) {
        if ((await call()) === 200) done++
        else bad++
      }
    }),
  )
  if (bad > 0) throw new Error(`${bad} requests failed`)
  return (done * 1000) / ms
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!

const db = await startPostgres()
const hosted: Hosted[] = []
try {
  const memory = await host(a2aApp({ card, executor: new StepsExecutor(0, 1) }))
  const postgres = await host(a2aApp({ card, executor: new StepsExecutor(0, 1), tasks: postgresTasks({ connectionString: db.url }) }))
  hosted.push(memory, postgres)
  const contenders = [
    { name: 'default store', pool: new Pool(memory.url, { connections: callers }) },
    { name: 'postgresTasks', pool: new Pool(postgres.url, { connections: callers }) },
  ]
  const results: Record<string, { send: number[]; get: number[] }> = {}
  for (const { name, pool } of contenders) {
    results[name] = { send: [], get: [] }
    // A task to read, and a warm-up.
    const made = await rpc(pool, 'SendMessage', sendBody())
    ;(pool as Pool & { taskId?: string }).taskId = made.body.result!.task!.id
    await slice(async () => (await rpc(pool, 'SendMessage', sendBody())).status, 500)
  }
  for (let i = 0; i < slices; i++) {
    const order = i % 2 === 0 ? contenders : [...contenders].reverse()
    for (const { name, pool } of order) {
      const taskId = (pool as Pool & { taskId?: string }).taskId!
      results[name]!.get.push(await slice(async () => (await rpc(pool, 'GetTask', getBody(taskId))).status, sliceMs))
      results[name]!.send.push(await slice(async () => (await rpc(pool, 'SendMessage', sendBody())).status, sliceMs))
    }
  }
  const base = results['default store']!
  const pg = results.postgresTasks!
  console.log(`callers ${callers}, ${slices} slices of ${sliceMs} ms per call and contender (medians, req/s)`)
  console.log(
    `GetTask:     default ${median(base.get).toFixed(0)}, postgresTasks ${median(pg.get).toFixed(0)}, ratio ${(median(pg.get) / median(base.get)).toFixed(2)}`,
  )
  console.log(
    `SendMessage: default ${median(base.send).toFixed(0)}, postgresTasks ${median(pg.send).toFixed(0)}, ratio ${(median(pg.send) / median(base.send)).toFixed(2)}`,
  )
  for (const { pool } of contenders) await pool.close()

  // CancelTask on B -> the executor's cancelTask on A.
  const reached = new Map<string, number>()
  const long = new StepsExecutor(20, 10_000)
  const onA: AgentExecutor = {
    execute: (context, bus) => long.execute(context, bus),
    cancelTask: async (taskId, bus) => {
      reached.set(taskId, performance.now())
      await long.cancelTask(taskId, bus)
    },
  }
  const a = await host(a2aApp({ card, executor: onA, tasks: postgresTasks({ connectionString: db.url }) }))
  const b = await host(a2aApp({ card, executor: new StepsExecutor(), tasks: postgresTasks({ connectionString: db.url }) }))
  hosted.push(a, b)
  const poolA = new Pool(a.url)
  const poolB = new Pool(b.url)
  const times: number[] = []
  for (let i = 0; i < cancels; i++) {
    const params = { ...(SendMessageRequest.toJSON(sendParams('long task')) as object), configuration: { returnImmediately: true } }
    const made = await rpc(poolA, 'SendMessage', params)
    const taskId = made.body.result!.task!.id
    const sent = performance.now()
    const answer = await rpc(poolB, 'CancelTask', { id: taskId })
    if (answer.status !== 200 || !reached.has(taskId)) throw new Error(`cancel ${i} did not reach A: ${JSON.stringify(answer.body)}`)
    times.push(reached.get(taskId)! - sent)
  }
  await poolA.close()
  await poolB.close()
  console.log(
    `CancelTask on B -> executor cancel on A, ${cancels} tasks: median ${median(times).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
  )
} finally {
  for (const h of hosted.reverse()) await h.close().catch(() => undefined)
  db.remove()
}
