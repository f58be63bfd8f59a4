// A full collection while a process idles must not slow its every nextTick() for good: the
// bridge keeps one queue entry alive, so V8's feedback for nextTick's literal stays
// monomorphic (src/node/tick-shapes.ts). Read off V8's own print of that feedback, in a child
// process that goes through what an idle server does.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const fixture = resolve(import.meta.dirname, 'fixtures', 'tick-shapes.ts')

/** The states of nextTick's literal-definition feedback slots, and whether an entry was kept. */
async function literalFeedback(mode: 'bridge' | 'none'): Promise<{ states: string[]; kept: boolean }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', fixture, mode],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  const states = [...stdout.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!)
  return { states, kept: /^kept: true$/m.test(stdout) }
}

test('an idle full collection leaves nextTick monomorphic once a bridge exists (the control without one goes megamorphic)', async (t) => {
  const [control, bridged] = await Promise.all([literalFeedback('none'), literalFeedback('bridge')])
  assert.ok(control.states.length >= 3, `expected nextTick's literal slots in V8's print, got ${control.states.length}`)
  assert.equal(control.kept, false)
  if (!control.states.includes('MEGAMORPHIC')) {
    t.skip(`this Node (${process.version}) keeps nextTick's shapes by itself: ${control.states.join(', ')}`)
    return
  }
  assert.equal(bridged.kept, true, 'the bridge kept a nextTick queue entry')
  assert.deepEqual(
    bridged.states,
    bridged.states.map(() => 'MONOMORPHIC'),
    `nextTick's literal slots after the collection: ${bridged.states.join(', ')}`,
  )
})
