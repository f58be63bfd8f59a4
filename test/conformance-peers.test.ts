// Real servers through the process driver: the ASGI servers uvicorn, hypercorn and Daphne
// (Debian's packages, with Starlette routing) and the Node frameworks Fastify, Express with
// terminus and Hono on node-server (their own scenario apps) run the whole suite, and their
// verdicts must equal the committed ones in conformance/expected/, so a change in either the
// suite or a peer shows up here. One peer after the other: each runs two scenarios at a time,
// enough for two cores. On a loaded machine a timing window (a stop within 1 s) can be missed
// once, so a verdict that moved is run again, alone, and only a second move fails the test.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { behaviours, differences, type Peer } from '../conformance/differences.ts'
import { python } from '../conformance/drivers/servers.ts'
import { compareToExpected, type ExpectedResults, readExpected } from '../conformance/expected.ts'
import { runSuite, type ScenarioResult } from '../conformance/runner/run.ts'
import { scenarios } from '../conformance/scenarios/index.ts'
import { driverFor } from '../conformance/select.ts'

const pythonPeers = { uvicorn: 'uvicorn', hypercorn: 'hypercorn', daphne: 'daphne' } as const
const peers = Object.keys(differences) as Peer[]

/**
 * CI runs the tests once more on each newer Node line (.ci/run sets TSGI_EXTRA_NODE_LINE there).
 * An ASGI server's verdicts are Python's and the same on every Node line, so the full run on the
 * machine's own Node checks them and the other lines skip them: a few minutes per line. The
 * Node peers run on the line under test, so they run on every line.
 */
const pythonChecked =
  process.env.TSGI_EXTRA_NODE_LINE === '1'
    ? "an ASGI server runs on Python, the same on every Node line: the full run on the machine's own Node checks it"
    : null

/** Why a peer cannot run here, or null. The Node peers' frameworks are dev dependencies. */
function missingPeer(peer: Peer): string | null {
  if (!(peer in pythonPeers)) return null
  const probe = spawnSync(python, ['-c', `import ${peer}, starlette`], { encoding: 'utf8' })
  return probe.status === 0 ? null : `${python} cannot import ${peer} and starlette (apt-get install python3-${peer} python3-starlette)`
}

interface Confirmed {
  result: ScenarioResult
  /** The first run's result, when it moved and the scenario was run again. */
  first?: ScenarioResult
}

async function confirmedRun(peer: Peer, expected: ExpectedResults): Promise<Map<string, Confirmed>> {
  const confirmed = new Map<string, Confirmed>()
  for (const result of await runSuite(scenarios, driverFor(peer))) {
    const was = expected.results[result.id]
    if (was === undefined || was === result.result) {
      confirmed.set(result.id, { result })
      continue
    }
    const [again] = await runSuite(
      scenarios.filter((s) => s.id === result.id),
      driverFor(peer),
    )
    confirmed.set(result.id, { result: again!, first: result })
  }
  return confirmed
}

/**
 * Verdicts a peer gives one run and not the next, for a race inside the peer, not in the
 * runner: each is still run and shown (its verdict in the test's diagnostics), but held to
 * nothing, since a fixed expectation would fail CI on the peer's coin toss.
 */
const unsteady: Partial<Record<Peer, Record<string, string>>> = {
  'express-terminus': {
    W14: "terminus destroys the upgraded socket when its timeout ends and the process exits at once; whether ws told the handler of the close before the exit (so the app's disconnect is recorded before lifespan.shutdown) is a race: 2 of 4 runs each way",
  },
  fastify: {
    W14: '@fastify/websocket closes each websocket in preClose and the process exits; whether the handler heard the close before the exit is a race: it did in 1 of 7 runs',
  },
}

let previous: Promise<unknown> = Promise.resolve()
for (const peer of peers) {
  const missing = missingPeer(peer)
  // In CI the packages are installed by .ci/run, so their absence is a failure there.
  const skip =
    peer in pythonPeers && pythonChecked !== null ? pythonChecked : missing !== null && process.env.CI === undefined ? missing : false

  const expected = readExpected(peer)
  let run: Promise<Map<string, Confirmed>> | null = null
  if (skip === false && missing === null) {
    const started = previous.then(() => confirmedRun(peer, expected))
    // The next peer starts when this one is done, whether it passed or not.
    previous = started.catch(() => undefined)
    run = started
  }
  test(`${peer} is installed`, { skip }, () => assert.equal(missing, null, missing ?? ''))
  for (const scenario of scenarios) {
    const race = unsteady[peer]?.[scenario.id]
    if (race !== undefined && skip === false) {
      test(`${peer} is unsteady in ${scenario.id}: ${scenario.title}`, async (t) => {
        assert.ok(run !== null, missing ?? 'not run')
        const { result } = (await run).get(scenario.id)!
        t.diagnostic(`${result.result}: ${result.why}; held to no verdict: ${race}`)
        assert.ok(['passed', 'failed'].includes(result.result), `the scenario ran to a verdict: ${result.result}`)
      })
      continue
    }
    test(`${peer} ${expected.results[scenario.id] ?? 'is new in'} ${scenario.id}: ${scenario.title}`, { skip }, async (t) => {
      assert.ok(run !== null, missing ?? 'not run')
      const { result, first } = (await run).get(scenario.id)!
      if (first !== undefined) t.diagnostic(`the first run gave ${first.result} (${first.why}); run again alone: ${result.result}`)
      assert.deepEqual(compareToExpected({ server: peer, results: { [scenario.id]: expected.results[scenario.id]! } }, [result]), [])
    })
  }
}

test('every expected peer failure is explained, and every explanation is used', () => {
  for (const peer of peers) {
    const failing = Object.entries(readExpected(peer).results)
      .filter(([, verdict]) => verdict === 'failed')
      .map(([id]) => id)
    assert.deepEqual(
      failing.filter((id) => differences[peer][id] === undefined),
      [],
      `${peer} failures without an explanation`,
    )
    assert.deepEqual(
      Object.keys(differences[peer]).filter((id) => !failing.includes(id)),
      [],
      `${peer} explanations for scenarios it passes`,
    )
  }
  const used = new Set(peers.flatMap((peer) => Object.values(differences[peer])))
  assert.deepEqual(
    Object.keys(behaviours).filter((b) => !used.has(b as keyof typeof behaviours)),
    [],
  )
})

test('the expected files name every scenario of the catalogue', () => {
  for (const peer of peers)
    assert.deepEqual(
      Object.keys(readExpected(peer).results),
      scenarios.map((s) => s.id),
    )
})
