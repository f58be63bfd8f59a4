// A ProtocolError names the state the app is in: what it has received, not what a driver has
// queued for it. One test per place that checks lifespan messages: the manager, a router toward
// each child, a router toward its parent, and the conformance drivers (scenario P10).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runSuite } from '../conformance/runner/run.ts'
import { scenarios } from '../conformance/scenarios/index.ts'
import { driverFor } from '../conformance/select.ts'
import { type App, LifespanManager, type LifespanSendMessage, mount, ProtocolError, router } from '../src/index.ts'

function protocolErrorIn(error: unknown, state: string, type: string): boolean {
  return error instanceof ProtocolError && error.message.includes(`'${type}' is not allowed in state '${state}'`) && error.state === state
}

test("the manager names 'awaiting-startup' when the app sends shutdown.complete before receiving anything", async () => {
  let thrown: unknown
  const app: App = async (_scope, receive, send) => {
    try {
      await send({ type: 'lifespan.shutdown.complete' })
    } catch (error) {
      thrown = error
    }
    await receive()
    await send({ type: 'lifespan.startup.complete' })
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  assert.ok(protocolErrorIn(thrown, 'awaiting-startup', 'lifespan.shutdown.complete'), String(thrown))
})

test("the manager names 'awaiting-startup' when the app completes a startup it has not received", async () => {
  let thrown: unknown
  const app: App = async (_scope, receive, send) => {
    try {
      await send({ type: 'lifespan.startup.complete' })
    } catch (error) {
      thrown = error
    }
    await receive()
    await send({ type: 'lifespan.startup.complete' })
  }
  await new LifespanManager(app).startup()
  assert.ok(protocolErrorIn(thrown, 'awaiting-startup', 'lifespan.startup.complete'), String(thrown))
})

test("the manager names 'started' when the app answers a shutdown it has not received yet", async () => {
  let thrown: unknown
  let answerEarly!: () => void
  const early = new Promise<void>((resolve) => {
    answerEarly = resolve
  })
  const app: App = async (_scope, receive, send) => {
    await receive()
    await send({ type: 'lifespan.startup.complete' })
    await early
    // lifespan.shutdown is queued by now, but the app has not taken it.
    try {
      await send({ type: 'lifespan.shutdown.complete' })
    } catch (error) {
      thrown = error
    }
    await receive()
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const manager = new LifespanManager(app)
  await manager.startup()
  const stopping = manager.shutdown()
  // Let the manager queue lifespan.shutdown before the app answers it unasked.
  await new Promise((resolve) => setImmediate(resolve))
  answerEarly()
  await stopping
  assert.ok(protocolErrorIn(thrown, 'started', 'lifespan.shutdown.complete'), String(thrown))
})

test("a router's child that sends before receiving is told 'awaiting-startup', and its siblings still start", async () => {
  let thrown: unknown
  const trace: string[] = []
  const eager: App = async (_scope, receive, send) => {
    try {
      await send({ type: 'lifespan.shutdown.complete' })
    } catch (error) {
      thrown = error
    }
    await receive()
    trace.push('eager.startup')
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    await send({ type: 'lifespan.shutdown.complete' })
  }
  const manager = new LifespanManager(router([mount('/eager', eager)]))
  await manager.startup()
  await manager.shutdown()
  assert.ok(protocolErrorIn(thrown, 'awaiting-startup', 'lifespan.shutdown.complete'), String(thrown))
  assert.deepEqual(trace, ['eager.startup'])
})

test("a router names the state it is in toward its parent: a second lifespan.startup arrives in 'started'", async () => {
  const app = router([])
  const sent: LifespanSendMessage[] = []
  const inbox = [{ type: 'lifespan.startup' as const }, { type: 'lifespan.startup' as const }]
  await assert.rejects(
    app(
      { type: 'lifespan', tsgi: { version: '1.0' }, state: {} },
      async () => inbox.shift()!,
      async (message) => {
        sent.push(message as LifespanSendMessage)
      },
    ),
    (error: unknown) => protocolErrorIn(error, 'started', 'lifespan.startup'),
  )
  assert.deepEqual(
    sent.map((m) => m.type),
    ['lifespan.startup.complete'],
  )
})

test("P10 through the conformance drivers: tsgi's manager and tsgi-process both name 'awaiting-startup'", async () => {
  const p10 = scenarios.filter((s) => s.id === 'P10')
  assert.equal(p10.length, 1)
  for (const server of ['tsgi', 'tsgi-process'] as const) {
    const [result] = await runSuite(p10, driverFor(server))
    assert.equal(result?.result, 'passed', `${server}: ${result?.why}`)
  }
})
