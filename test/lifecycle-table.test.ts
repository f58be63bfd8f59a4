import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Lifecycle } from '../src/lifecycle/table.ts'
import { ProtocolError, lifecycleTransitions } from '../src/index.ts'
import { recordLifecycle } from './support/observe.ts'

test("serve()'s phase table holds exactly the lifecycle DESIGN.md describes", () => {
  assert.deepEqual(lifecycleTransitions, {
    starting: {
      started: { to: 'running', run: 'none' },
      'startup-failed': { to: 'stopping', run: 'shutdown' },
      interrupted: { to: 'stopping', run: 'shutdown' },
    },
    running: { close: { to: 'draining', run: 'drain' }, 'close-delayed': { to: 'delaying', run: 'delay' } },
    delaying: { delayed: { to: 'draining', run: 'drain' } },
    draining: { drained: { to: 'stopping', run: 'shutdown' } },
    stopping: { 'shutdown-done': { to: 'stopped', run: 'none' }, 'rollback-done': { to: 'failed', run: 'none' } },
    stopped: {},
    failed: {},
  })
})

test('an event the table does not allow in the current phase is a ProtocolError naming both', () => {
  const lifecycle = new Lifecycle()
  assert.throws(
    () => lifecycle.apply('drained'),
    (error: unknown) => {
      assert.ok(error instanceof ProtocolError)
      assert.equal(error.message, "lifecycle: event 'drained' is not allowed in phase 'starting'")
      return true
    },
  )
  lifecycle.apply('started')
  lifecycle.apply('close')
  assert.throws(() => lifecycle.apply('close'), /event 'close' is not allowed in phase 'draining'/)
  assert.equal(lifecycle.phase, 'draining')
})

test('each transition is published once, with the phase in force after it', () => {
  const trace = recordLifecycle()
  const lifecycle = new Lifecycle(performance.now())
  lifecycle.apply('startup-failed')
  lifecycle.step('app-shutdown', 'app', 'skipped')
  lifecycle.apply('rollback-done')
  trace.stop()
  assert.deepEqual(
    trace.events.map(({ phase, step, name, outcome }) => [phase, step, name, outcome]),
    [
      ['starting', 'phase', 'starting', 'enter'],
      ['stopping', 'phase', 'stopping', 'enter'],
      ['stopping', 'app-shutdown', 'app', 'skipped'],
      ['failed', 'phase', 'failed', 'enter'],
    ],
  )
})
