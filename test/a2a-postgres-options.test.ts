// postgresTasks()'s options, and how a2aApp takes them, checked when they are given; and a
// database that cannot be reached failing the app's startup with a sentence that names where
// it looked and never the password.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import { postgresTasks } from '../src/a2a-postgres/postgres-tasks.ts'
import { a2aApp } from '../src/a2a/app.ts'
import { BoundedTaskStore } from '../src/a2a/task-store.ts'
import { InvalidArgumentError, LifespanManager } from '../src/index.ts'
import { StepsExecutor } from './fixtures/a2a-executor.ts'
import { freePort } from './support/observe.ts'

const card = { name: 'Test agent', description: 'Runs tasks' }
const url = 'postgres://agent:s3cret-pw@127.0.0.1:5432/agents'

test('postgresTasks refuses unknown options, naming the closest known one', () => {
  assert.throws(
    () => postgresTasks({ connectionString: url, leaseMS: 5_000 } as never),
    (error: unknown) => error instanceof InvalidArgumentError && /no option 'leaseMS'; did you mean 'leaseMs'\?/.test(error.message),
  )
})

test('postgresTasks needs exactly one of connectionString and pool, and checks each value', () => {
  const refused = (options: unknown, pattern: RegExp) =>
    assert.throws(
      () => postgresTasks(options as never),
      (error: unknown) => error instanceof InvalidArgumentError && pattern.test(error.message),
    )
  refused({}, /exactly one of connectionString and pool/)
  refused({ connectionString: url, pool: new pg.Pool() }, /exactly one of connectionString and pool/)
  refused({ connectionString: '' }, /non-empty string, got an empty string/)
  refused({ connectionString: 42 }, /non-empty string, got 42/)
  refused({ pool: {} }, /must be a pg Pool, got an object/)
  refused({ connectionString: url, migrate: 'yes' }, /migrate must be true or false, got 'yes'/)
  refused({ connectionString: url, leaseMs: 50 }, /leaseMs must be an integer of at least 100/)
  refused(null, /needs \{ connectionString \} or \{ pool \}/)
  assert.equal(postgresTasks({ connectionString: url, leaseMs: 100, migrate: false }).replica.length, 36)
})

test('a2aApp takes tasks with a store, and not beside a taskStore', () => {
  const executor = new StepsExecutor()
  assert.throws(() => a2aApp({ card, executor, tasks: {} as never }), /a2aApp tasks must be shared tasks with a store/)
  const taskStore = new BoundedTaskStore({ maxTasks: 10, ttlMs: 1_000 })
  assert.throws(
    () => a2aApp({ card, executor, taskStore, tasks: postgresTasks({ connectionString: url }) }),
    /tasks or taskStore, not both/,
  )
  // A plain store counts as shared tasks of this process only.
  assert.equal(typeof a2aApp({ card, executor, tasks: { store: taskStore } }), 'function')
})

test('a database that refuses the connection fails the startup, naming host and port but never the password', async () => {
  const port = await freePort()
  const app = a2aApp({
    card,
    executor: new StepsExecutor(),
    tasks: postgresTasks({ connectionString: `postgres://agent:s3cret-pw@127.0.0.1:${port}/agents` }),
  })
  const manager = new LifespanManager(app, { logger: { debug() {}, info() {}, warn() {}, error() {} } })
  const error = await manager.startup().then(
    () => assert.fail('startup should fail'),
    (e: unknown) => e as Error & { cause?: Error },
  )
  const text = `${error.message} ${error.cause?.message ?? ''} ${error.cause?.stack ?? ''}`
  assert.match(text, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/agents`))
  assert.match(text, /ECONNREFUSED/)
  assert.doesNotMatch(text, /s3cret-pw/)
})
