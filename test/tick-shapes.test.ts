// A full collection while a process idles must not slow its every nextTick() for good: the
// bridge keeps one queue entry alive, so V8's feedback for nextTick's literal stays
// monomorphic (src/node/tick-shapes.ts). Read off V8's own print of that feedback, in a child
// process that goes through what an idle server does.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { scratchDir } from './support/observe.ts'

const fixture = resolve(import.meta.dirname, 'fixtures', 'tick-shapes.ts')

/** What V8 printed of nextTick: its feedback line, the states of its literal-definition slots, and whether an entry was kept. */
async function literalFeedback(mode: 'bridge' | 'none'): Promise<{ states: string[]; kept: boolean }> {
  // V8 prints through C's stdio, which drops what a full, non-blocking pipe refuses at exit
  // (a loaded CI machine read the pipe too slowly): the child writes to a file instead.
  const file = join(scratchDir('tsgi-tick-'), 'print.txt')
  const fd = openSync(file, 'w')
  try {
    const child = spawn(process.execPath, ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', fixture, mode], {
      stdio: ['ignore', fd, 'inherit'],
      env: withoutCoverage(),
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 0, `the ${mode} child exited with ${code}`)
  } finally {
    closeSync(fd)
  }
  const printed = readFileSync(file, 'utf8')
  const states = [...printed.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!)
  const vector = /^ - feedback vector: .*$/m.exec(printed)?.[0] ?? '(no feedback vector line)'
  assert.ok(states.length >= 3, `expected nextTick's literal slots in V8's print (${mode}), got: ${vector}`)
  return { states, kept: /^kept: true$/m.test(printed) }
}

/**
 * Without the coverage collector: under it V8 keeps feedback for every function from its first
 * call, and there nextTick's slots went megamorphic with a kept entry too. Servers do not run
 * under the collector; CI's test run does. Empty, not deleted: Node copies the parent's value
 * into a child's environment that lacks the key.
 */
function withoutCoverage(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_V8_COVERAGE: '' }
}

test('an idle full collection leaves nextTick monomorphic once a bridge exists (the control without one goes megamorphic)', async (t) => {
  const [control, bridged] = await Promise.all([literalFeedback('none'), literalFeedback('bridge')])
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
