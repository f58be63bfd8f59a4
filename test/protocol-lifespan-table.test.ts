import assert from 'node:assert/strict'
import { test } from 'node:test'

import { LifespanConversation, nextLifespanState } from '../src/protocol/lifespan.ts'
import { ProtocolError, lifespanTransitions } from '../src/index.ts'

test('the transition table allows exactly the conversation of the ASGI lifespan spec', () => {
  assert.deepEqual(lifespanTransitions, {
    'awaiting-startup': { 'lifespan.startup': 'starting' },
    starting: { 'lifespan.startup.complete': 'started', 'lifespan.startup.failed': 'done' },
    started: { 'lifespan.shutdown': 'stopping' },
    stopping: { 'lifespan.shutdown.complete': 'done', 'lifespan.shutdown.failed': 'done' },
    done: {},
  })
})

test('every pair missing from the table is a ProtocolError naming the state and the message', () => {
  const types = [
    'lifespan.startup',
    'lifespan.startup.complete',
    'lifespan.startup.failed',
    'lifespan.shutdown',
    'lifespan.shutdown.complete',
    'lifespan.shutdown.failed',
  ]
  for (const state of Object.keys(lifespanTransitions) as Array<keyof typeof lifespanTransitions>) {
    for (const type of types) {
      const allowed = (lifespanTransitions[state] as Record<string, string>)[type]
      if (allowed !== undefined) {
        assert.equal(nextLifespanState(state, type), allowed)
        continue
      }
      assert.throws(
        () => nextLifespanState(state, type),
        (error: unknown) => {
          assert.ok(error instanceof ProtocolError)
          assert.equal(error.state, state)
          assert.equal(error.messageType, type)
          assert.equal(error.message, `lifespan: '${type}' is not allowed in state '${state}'`)
          return true
        },
      )
    }
  }
})

test('a message without a string type is refused without crashing on it', () => {
  const conversation = new LifespanConversation()
  assert.throws(
    () => conversation.advance(null),
    /a message without a string type \(undefined\) is not a lifespan message in state 'awaiting-startup'/,
  )
  assert.throws(() => conversation.advance({ type: 7 }), /without a string type \(number\)/)
  assert.equal(conversation.state, 'awaiting-startup')
  conversation.advance({ type: 'lifespan.startup' })
  assert.equal(conversation.state, 'starting')
})
