// The conformance suite against tsgi embedded in each host (tsgi-express, tsgi-fastify,
// tsgi-hono): every scenario an embedding runs must pass, every skip must say why, and the
// verdicts must equal the committed ones in conformance/expected/, as the peers' do.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareToExpected, readExpected } from '../conformance/expected.ts'
import { runSuite, type ScenarioResult } from '../conformance/runner/run.ts'
import { scenarios } from '../conformance/scenarios/index.ts'
import { driverFor } from '../conformance/select.ts'

const embeddings = ['tsgi-express', 'tsgi-fastify', 'tsgi-hono'] as const

// One embedding after the other: each runs in this process, and the lifecycle channel is global.
let previous: Promise<unknown> = Promise.resolve()
for (const server of embeddings) {
  const run: Promise<ScenarioResult[]> = previous.then(() => runSuite(scenarios, driverFor(server)))
  previous = run
  const expected = readExpected(server)

  test(`${server}'s committed expectation fails nothing and names every scenario of the catalogue`, () => {
    assert.deepEqual(
      Object.entries(expected.results).filter(([, verdict]) => verdict === 'failed'),
      [],
    )
    assert.deepEqual(
      Object.keys(expected.results),
      scenarios.map((s) => s.id),
    )
  })

  for (const scenario of scenarios) {
    test(`${server} ${expected.results[scenario.id] ?? 'is new in'} ${scenario.id}: ${scenario.title}`, async () => {
      const result = (await run).find((r) => r.id === scenario.id)!
      if (result.result === 'skipped') assert.ok(result.why.length > 20, `${scenario.id} is skipped without a reason`)
      assert.deepEqual(compareToExpected({ server, results: { [scenario.id]: expected.results[scenario.id]! } }, [result]), [])
    })
  }
}
