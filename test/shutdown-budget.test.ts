import assert from 'node:assert/strict'
import { test } from 'node:test'

import { InvalidArgumentError, serve, shutdownBudgetMs, type App } from '../src/index.ts'
import { memoryLogger } from './support/observe.ts'

const app: App = async () => {}
const hook = async () => {}

test("the defaults' shutdown budget fits Kubernetes' default 30 s grace period with 2 s to spare", () => {
  const budget = shutdownBudgetMs({}, {})
  assert.equal(budget, 15_000, 'drain 10 000 + the app step 5 000')
  assert.ok(budget <= 30_000 - 2_000)
})

test('the budget adds the delay, the drain and one shutdownTimeoutMs per hook, teardown and the app', () => {
  async function* pool() {}
  const options = { onShutdown: [hook, hook], lifespan: [pool], shutdownTimeoutMs: 2_000, drainTimeoutMs: 3_000 }
  assert.equal(shutdownBudgetMs({ ...options, shutdownDelayMs: 4_000 }, {}), 4_000 + 3_000 + 2_000 * 4)
  assert.equal(shutdownBudgetMs(options, { TSGI_SHUTDOWN_DELAY_MS: '5000' }), 5_000 + 3_000 + 2_000 * 4, 'env counts as serve() reads it')
  assert.throws(() => shutdownBudgetMs({ drainTimeoutMs: -1 }, {}), InvalidArgumentError)
})

async function withGracePeriod<T>(value: string, run: () => Promise<T>): Promise<T> {
  const before = process.env.TSGI_GRACE_PERIOD_S
  process.env.TSGI_GRACE_PERIOD_S = value
  try {
    return await run()
  } finally {
    if (before === undefined) delete process.env.TSGI_GRACE_PERIOD_S
    else process.env.TSGI_GRACE_PERIOD_S = before
  }
}

test('serve() warns once, naming the numbers, when the budget passes TSGI_GRACE_PERIOD_S minus 2 s', async () => {
  const logger = memoryLogger()
  await withGracePeriod('20', async () => {
    const server = await serve(app, { port: 0, signals: false, logger, shutdownDelayMs: 5_000, onShutdown: [hook] })
    await server.close().catch(() => undefined)
  })
  const warnings = logger.lines.filter((line) => line.startsWith('warn') && line.includes('TSGI_GRACE_PERIOD_S'))
  assert.equal(warnings.length, 1, logger.lines.join('\n'))
  assert.match(warnings[0]!, /can take 25000 ms \(shutdownDelayMs 5000 \+ drainTimeoutMs 10000 \+ shutdownTimeoutMs 5000 × 2 steps\)/)
  assert.match(warnings[0]!, /TSGI_GRACE_PERIOD_S 20 s minus 2 s \(18000 ms\)/)
})

test('no warning when the budget fits; a bad TSGI_GRACE_PERIOD_S is refused by serve()', async () => {
  const logger = memoryLogger()
  await withGracePeriod('30', async () => {
    const server = await serve(app, { port: 0, signals: false, logger })
    await server.close()
  })
  assert.ok(!logger.lines.some((line) => line.includes('TSGI_GRACE_PERIOD_S')), logger.lines.join('\n'))
  await withGracePeriod('thirty', () =>
    assert.rejects(serve(app, { port: 0, signals: false, logger: false }), {
      name: 'InvalidArgumentError',
      message: "serve(): env TSGI_GRACE_PERIOD_S must be a positive number of seconds, got 'thirty'",
    }),
  )
})
