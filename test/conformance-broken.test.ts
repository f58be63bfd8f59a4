// The suite must be able to fail: a server with three known bugs (and no shutdown delay) fails
// exactly the scenarios those break, no more, no fewer (test/fixtures/conformance-broken/server.ts).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { processDriver } from '../conformance/drivers/process.ts'
import { commandServer, nodeCommand, processCapabilities } from '../conformance/drivers/servers.ts'
import { runSuite } from '../conformance/runner/run.ts'
import { scenarios } from '../conformance/scenarios/index.ts'

/** Bug 1: its router starts children in reverse mount order. */
const reversedChildren = [
  'C1',
  'C2',
  'C3',
  'C4',
  'C6',
  'C7',
  'C8',
  'C9',
  'C10',
  'C16',
  'C19',
  'C20',
  'C21',
  'C22',
  'C23',
  'C24',
  'C25',
  'C26',
  'S17',
]
/** Bug 2: it sends lifespan.shutdown before draining (in-flight requests, the listening socket). */
const shutdownBeforeDrain = ['S21', 'S24', 'X5', 'X10', 'X19', 'X23']
/** Bug 3: its onShutdown hooks stop at the first failure. */
const skipsHooksAfterFailure = ['X24']
/** And, like uvicorn and hypercorn, it has no shutdown delay: it stops listening at the signal. */
const noShutdownDelay = ['X26', 'X27', 'X28']

test('the broken server fails exactly the scenarios its three bugs and its missing shutdown delay break', async () => {
  const command = nodeCommand(fileURLToPath(new URL('./fixtures/conformance-broken/server.ts', import.meta.url))).join(' ')
  const driver = processDriver(commandServer(command, [...processCapabilities, 'hooks']))
  const results = await runSuite(scenarios, driver)
  const failed = results.filter((r) => r.result === 'failed').map((r) => r.id)
  const expected = [...reversedChildren, ...shutdownBeforeDrain, ...skipsHooksAfterFailure, ...noShutdownDelay]
  const order = (ids: string[]): string[] => scenarios.map((s) => s.id).filter((id) => ids.includes(id))
  assert.deepEqual(
    failed,
    order(expected),
    results
      .filter((r) => r.result === 'failed' && !expected.includes(r.id))
      .map((r) => `${r.id}: ${r.why}`)
      .join('\n'),
  )
  // The rest of what it can run, it passes: the suite fails servers for what they do wrong only.
  assert.ok(results.filter((r) => r.result === 'passed').length >= 50)
})
