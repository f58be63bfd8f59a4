// Two replicas of an A2A agent, real child processes, one real PostgreSQL: what a task created
// on replica A looks like through replica B (found, listed, followed live, cancelled at A's
// executor), what happens to A's running task when A is SIGKILLed, and two replicas starting
// at the same moment on an empty database. Clients are the A2A SDK's own. Then one replica on
// two workers (agent({ workers: 2 })), every request on a fresh connection: the workers'
// routing (through the primary, to the worker that runs a task) and the database (where every
// task lives) must agree.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { TaskState, type Task } from '@a2a-js/sdk'
import { ClientFactory, type Client } from '@a2a-js/sdk/client'
import { ServerCallContext } from '@a2a-js/sdk/server'
import { DatabaseTaskStore, TASK_TABLE } from '@a2a-js/sdk/server/database'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { postgresTasks } from '../src/a2a-postgres/postgres-tasks.ts'
import { a2aApp } from '../src/a2a/app.ts'
import { LifespanManager } from '../src/index.ts'
import { StepsExecutor, sendParams } from './fixtures/a2a-executor.ts'
import { freshA2aClient } from './support/fresh-clients.ts'
import { freePort, sleep } from './support/observe.ts'
import { PG_PASSWORD, postgresMissing, startPostgres, type Postgres } from './support/postgres.ts'
import { startFixture, waitForPort, type Running } from './support/process.ts'

const skip = postgresMissing()
const fixture = new URL('./fixtures/a2a-replica.ts', import.meta.url).pathname
/** Short, so the SIGKILL test is quick; the heartbeat runs every quarter of it. */
const LEASE_MS = 4_000

let db: Postgres
/** Replicas A and B on one database, shared by the first two tests (the second kills A). */
let a: Running
let b: Running
/** One replica on two workers (its own trace says which worker's pid did what). */
let machine: Running
const children: Running[] = []
before(async () => {
  if (skip !== undefined) return
  db = await startPostgres()
  ;[a, b, machine] = await Promise.all([replica('a', db.url), replica('b', db.url), twoWorkers(db.url)])
})
after(() => {
  for (const running of children) running.child.kill('SIGKILL')
  db?.remove()
})

async function replica(name: string, url: string): Promise<Running> {
  // Tasks of 100 steps of 100 ms: still running when a test cancels them or kills their replica.
  const running = startFixture(fixture, { REPLICA: name, DATABASE_URL: url, LEASE_MS: String(LEASE_MS), STEPS: '100' }, await freePort())
  children.push(running)
  await waitForPort(running, 60_000)
  return running
}

async function twoWorkers(url: string): Promise<Running> {
  const running = startFixture(fixture, { REPLICA: 'workers', WORKERS: '2', DATABASE_URL: url, STEPS: '100' }, await freePort())
  children.push(running)
  // The primary traces 'listening' once every worker listens.
  const deadline = Date.now() + 60_000
  while (!running.events().some((e) => e.event === 'listening' && (e as { role?: string }).role === 'primary')) {
    if (Date.now() > deadline) throw new Error(`the two-worker replica did not come up; stderr:\n${running.stderr()}`)
    await sleep(50)
  }
  return running
}

const client = (running: Running): Promise<Client> => new ClientFactory().createFromUrl(`${running.url}/`)
const ref = (id: string) => ({ tenant: '', id, historyLength: undefined })
const cancelRef = (id: string) => ({ tenant: '', id, metadata: {} })

/** Starts a long task through `on` without waiting for it (returnImmediately). */
async function startTask(on: Client): Promise<Task> {
  const params = { ...sendParams('long'), configuration: { returnImmediately: true, acceptedOutputModes: [], historyLength: undefined } }
  const result = await on.sendMessage(params as unknown as Parameters<Client['sendMessage']>[0])
  assert.ok('id' in result && 'status' in result, 'SendMessage answered with a task')
  return result as Task
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(50)
  }
}

test('a task created through replica A is found, followed live and cancelled through replica B', { skip }, async () => {
  const [viaA, viaB] = await Promise.all([client(a), client(b)])
  const task = await startTask(viaA)
  const seen = await viaB.getTask(ref(task.id))
  assert.equal(seen.id, task.id)
  assert.equal(seen.contextId, task.contextId)
  const listed = await viaB.listTasks({
    tenant: '',
    contextId: task.contextId,
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageSize: 10,
  } as Parameters<Client['listTasks']>[0])
  assert.deepEqual(
    listed.tasks.map((x) => x.id),
    [task.id],
  )

  // SubscribeToTask through B: A's live events, at least three within 2 s.
  const started = Date.now()
  const events: string[] = []
  for await (const event of viaB.resubscribeTask({ tenant: '', id: task.id })) {
    events.push(event.payload?.$case ?? '?')
    if (events.filter((e) => e === 'artifactUpdate').length >= 3) break
  }
  const elapsed = Date.now() - started
  assert.equal(events[0], 'task', 'the stream opens with the snapshot')
  assert.ok(elapsed < 2_000, `three live artifact events took ${elapsed} ms through B`)

  // CancelTask through B: A's executor is asked, and B answers with the CANCELED task.
  const cancelStarted = Date.now()
  const cancelled = await viaB.cancelTask(cancelRef(task.id))
  const cancelMs = Date.now() - cancelStarted
  assert.equal(cancelled.status?.state, TaskState.TASK_STATE_CANCELED)
  assert.ok(cancelMs < 2_000, `CancelTask through B took ${cancelMs} ms`)
  const asked = a.events().filter((e) => e.event === 'cancel' && (e as { taskId?: string }).taskId === task.id)
  assert.equal(asked.length, 1, "A's executor was asked to cancel, once")
  assert.equal(
    b.events().some((e) => e.event === 'cancel'),
    false,
    "B's executor was not",
  )
  const stored = await viaA.getTask(ref(task.id))
  assert.equal(stored.status?.state, TaskState.TASK_STATE_CANCELED, 'the store says CANCELED through A too')
})

test('a replica SIGKILLed with a running task: a survivor marks it FAILED within the lease, seen through the other replica', {
  skip,
}, async () => {
  const [viaA, viaB] = await Promise.all([client(a), client(b)])
  const task = await startTask(viaA)
  await until('the task to be WORKING', 2_000, async () =>
    (await viaB.getTask(ref(task.id))).status?.state === TaskState.TASK_STATE_WORKING ? true : undefined,
  )
  a.child.kill('SIGKILL')
  const killed = Date.now()
  await a.exit
  const failed = await until('the task to be FAILED', LEASE_MS + 2_000, async () => {
    const seen = await viaB.getTask(ref(task.id))
    return seen.status?.state === TaskState.TASK_STATE_FAILED ? seen : undefined
  })
  const ms = Date.now() - killed
  assert.ok(ms <= LEASE_MS, `FAILED ${ms} ms after the SIGKILL, lease ${LEASE_MS} ms`)
  const text = failed.status?.message?.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
  assert.match(text ?? '', /replica running this task stopped/)
})

test('two replicas started at the same moment on an empty database both come up; the table is made once, in the SDK shape', {
  skip,
}, async (t) => {
  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  await admin.query('CREATE DATABASE fresh')
  await admin.end()
  const freshUrl = db.url.replace(/\/postgres$/, '/fresh')
  const [a, b] = await Promise.all([replica('fa', freshUrl), replica('fb', freshUrl)])
  t.after(() => {
    a.child.kill('SIGKILL')
    b.child.kill('SIGKILL')
  })
  const created =
    [a, b]
      .map((r) => r.stdout())
      .join('')
      .match(/created table\(s\) [^\n]*/g) ?? []
  assert.equal(created.length, 1, `one replica created the tables: ${JSON.stringify(created)}`)
  assert.match(created[0]!, new RegExp(`\\b${TASK_TABLE}\\b`))

  const pool = new pg.Pool({ connectionString: freshUrl })
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  try {
    const { rows } = await pool.query(
      'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [TASK_TABLE],
    )
    // The SDK's TaskRow, column by column.
    assert.deepEqual(
      rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`),
      [
        'tenant character varying NO',
        'owner character varying NO',
        'id character varying NO',
        'context_id character varying NO',
        'status_last_updated bigint NO',
        'status_state character varying YES',
        'status text YES',
        'artifacts text YES',
        'history text YES',
        'metadata text YES',
        'protocol_version character varying YES',
      ],
    )
    // The SDK's own store writes a task there, and the replicas serve it.
    const store = new DatabaseTaskStore(kysely)
    const context = new ServerCallContext({ tenant: '', user: { isAuthenticated: false, userName: '' } })
    const task: Task = {
      id: crypto.randomUUID(),
      contextId: crypto.randomUUID(),
      status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: new Date().toISOString() },
      artifacts: [],
      history: [],
      metadata: {},
    }
    await store.save(task, context)
    assert.equal((await store.load(task.id, context))?.status?.state, TaskState.TASK_STATE_COMPLETED)
    const served = await (await client(b)).getTask(ref(task.id))
    assert.equal(served.id, task.id)
    // ...and reads what a replica wrote.
    const made = await startTask(await client(a))
    assert.equal((await store.load(made.id, context))?.id, made.id)
  } finally {
    await kysely.destroy()
  }
})

test('a wrong password fails the startup with a clear error that does not print it; migrate: false refuses missing tables', {
  skip,
}, async () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  const wrong = db.url.replace(PG_PASSWORD, 'wrong-pw-91c2')
  const refused = a2aApp({
    card: { name: 'x', description: 'y' },
    executor: new StepsExecutor(),
    tasks: postgresTasks({ connectionString: wrong }),
  })
  const error = await new LifespanManager(refused, { logger: quiet }).startup().then(
    () => assert.fail('startup should fail'),
    (e: unknown) => e as Error & { cause?: Error },
  )
  const text = `${error.message} ${error.cause?.message ?? ''}`
  assert.match(text, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${db.port}/postgres: password authentication failed`))
  assert.doesNotMatch(text, /wrong-pw-91c2|not-a-real-secret/)

  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  await admin.query('CREATE DATABASE bare')
  await admin.end()
  const bare = db.url.replace(/\/postgres$/, '/bare')
  const unmigrated = a2aApp({
    card: { name: 'x', description: 'y' },
    executor: new StepsExecutor(),
    tasks: postgresTasks({ connectionString: bare, migrate: false }),
  })
  await assert.rejects(new LifespanManager(unmigrated, { logger: quiet }).startup(), (e: Error & { cause?: Error }) =>
    /table\(s\) tasks, tsgi_a2a_leases, tsgi_a2a_events missing; create them or pass migrate: true/.test(
      `${e.message} ${e.cause?.message}`,
    ),
  )
  // A pool of the caller's: used, and left open at shutdown.
  const pool = new pg.Pool({ connectionString: db.url })
  const app = a2aApp({ card: { name: 'x', description: 'y' }, executor: new StepsExecutor(), tasks: postgresTasks({ pool }) })
  const manager = new LifespanManager(app, { logger: quiet })
  await manager.startup()
  await manager.shutdown()
  assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1, 'the pool is still open')
  await pool.end()
})

/** Counts of `event` per task id, and the pid that traced each. */
function byTask(event: string): Map<string, number[]> {
  const seen = new Map<string, number[]>()
  for (const line of machine.events() as unknown as Array<{ event: string; pid: number; taskId?: string }>)
    if (line.event === event && line.taskId !== undefined) seen.set(line.taskId, [...(seen.get(line.taskId) ?? []), line.pid])
  return seen
}

test('on two workers with postgresTasks, fresh connections: each task runs once, is found, listed and followed from either worker, and its cancel reaches its executor once', {
  skip,
  timeout: 60_000,
}, async () => {
  const client = await freshA2aClient(`${machine.url}/`, 10_000)
  const TASKS = 6
  const tasks = await Promise.all(Array.from({ length: TASKS }, () => startTask(client)))

  // Each ran once, and both workers ran some.
  const executed = byTask('execute')
  for (const task of tasks)
    assert.deepEqual(executed.get(task.id)?.length, 1, `task ${task.id} executed ${executed.get(task.id)?.length ?? 0} times`)
  const runners = new Map(tasks.map((task) => [task.id, executed.get(task.id)![0]!]))
  assert.equal(new Set(runners.values()).size, 2, 'both workers ran tasks')

  // Found from either worker (two fresh connections each), and listed whole.
  for (const task of tasks) {
    for (let i = 0; i < 2; i++) assert.equal((await client.getTask(ref(task.id))).id, task.id)
  }
  for (let i = 0; i < 2; i++) {
    const listed = await client.listTasks({ tenant: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageSize: 50 } as Parameters<
      Client['listTasks']
    >[0])
    assert.deepEqual(
      listed.tasks
        .map((t) => t.id)
        .filter((id) => runners.has(id))
        .toSorted(),
      tasks.map((t) => t.id).toSorted(),
    )
  }

  // Followed live from whichever worker the subscription's connection reached: at least three
  // step artifacts each within 2 s. With six tasks on two workers, several subscriptions are
  // taken by the worker that does not run the task.
  await Promise.all(
    tasks.map(async (task) => {
      const started = Date.now()
      const events: string[] = []
      for await (const event of client.resubscribeTask({ tenant: '', id: task.id })) {
        events.push(event.payload?.$case ?? '?')
        if (events.filter((e) => e === 'artifactUpdate').length >= 3) break
      }
      assert.equal(events[0], 'task', 'the stream opens with the snapshot')
      const elapsed = Date.now() - started
      assert.ok(elapsed < 2_000, `three live events of ${task.id} took ${elapsed} ms`)
    }),
  )

  // Cancelled from either worker: the executor that runs each task is asked once, no other.
  for (const task of tasks) {
    const cancelled = await client.cancelTask({ tenant: '', id: task.id, metadata: {} })
    assert.equal(cancelled.status?.state, TaskState.TASK_STATE_CANCELED)
  }
  const cancels = byTask('cancel')
  for (const task of tasks) assert.deepEqual(cancels.get(task.id), [runners.get(task.id)], `cancels of ${task.id}`)
  for (const task of tasks) {
    for (let i = 0; i < 2; i++) assert.equal((await client.getTask(ref(task.id))).status?.state, TaskState.TASK_STATE_CANCELED)
  }
})
