// The conformance suite against tsgi itself: every scenario must pass, none may be skipped.
// Plus the catalogue's shape (the SCENARIOS.md floor is all there) and the CLI's contract.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { tsgiDriver } from '../conformance/drivers/tsgi.ts'
import { runSuite } from '../conformance/runner/run.ts'
import { scenarios } from '../conformance/scenarios/index.ts'

/** The floor: every scenario SCENARIOS.md lists, by its id there. */
const floor = [
  ...Array.from({ length: 16 }, (_, i) => `P${i + 1}`),
  ...Array.from({ length: 15 }, (_, i) => `C${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `S${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `X${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `H${i + 1}`),
  ...Array.from({ length: 15 }, (_, i) => `W${i + 1}`),
]

test('the catalogue holds at least 60 scenarios, every level, unique ids', () => {
  assert.ok(scenarios.length >= 60, `only ${scenarios.length} scenarios`)
  for (const level of ['P', 'C', 'S', 'X', 'H', 'W'])
    assert.ok(
      scenarios.some((s) => s.level === level),
      `no ${level} scenario`,
    )
  assert.equal(new Set(scenarios.map((s) => s.id)).size, scenarios.length)
})

test('every SCENARIOS.md scenario is covered by a scenario that names it as its source', () => {
  const missing = floor.filter((id) => !scenarios.some((s) => new RegExp(`SCENARIOS\\.md ${id}\\b`).test(s.source)))
  assert.deepEqual(missing, [])
})

test('every scenario has a title, a source and at least one action', () => {
  for (const s of scenarios) {
    assert.ok(s.title.length > 10 && s.source.length > 3 && s.actions.length > 0, `${s.id} is incomplete`)
  }
})

// One run of the whole suite (its driver runs two scenarios at a time), one test per scenario.
const run = runSuite(scenarios, tsgiDriver())
for (const scenario of scenarios) {
  test(`tsgi passes ${scenario.id}: ${scenario.title}`, async () => {
    const result = (await run).find((r) => r.id === scenario.id)!
    assert.equal(result.result, 'passed', result.why)
  })
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'conformance/cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 })
}

test('the CLI prints a table whose last line counts passed, failed and skipped, and exits 0', () => {
  const run = cli('--server', 'tsgi', '--level', 'P')
  assert.equal(run.status, 0, run.stderr)
  const lines = run.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^server: tsgi$/)
  assert.match(run.stdout, /\bid\s+title\s+result\s+why\s+ms\b/)
  assert.equal(lines.at(-1), `${scenarios.filter((s) => s.level === 'P').length} passed, 0 failed, 0 skipped`)
})

test('the CLI exits 1 when a scenario fails, 0 with --report-only, and writes JSON and JUnit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-cli-'))
  try {
    const junit = join(dir, 'junit.xml')
    // A command that is no server at all: the boot fails, so the scenario fails.
    const failing = cli('--command', 'node -e "process.exit(3)"', '--only', 'P1', '--json', '--junit', junit)
    assert.equal(failing.status, 1, failing.stderr)
    const report = JSON.parse(failing.stdout) as {
      server: string
      summary: { failed: number }
      results: Array<{ id: string; result: string; why: string }>
    }
    assert.equal(report.server, 'command')
    assert.equal(report.summary.failed, 1)
    assert.match(report.results[0]!.why, /exited before it accepted a connection/)
    const xml = readFileSync(junit, 'utf8')
    assert.match(xml, /<testsuite name="command" tests="1" failures="1" skipped="0"/)
    assert.match(xml, /<failure message="boot failed/)
    assert.equal(cli('--command', 'node -e "process.exit(3)"', '--only', 'P1', '--report-only').status, 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the CLI shows each skip with its reason', () => {
  const run = cli('--command', 'node -e 0', '--only', 'P2,S9', '--json')
  const report = JSON.parse(run.stdout) as { results: Array<{ id: string; result: string; why: string }> }
  assert.deepEqual(
    report.results.map((r) => [r.id, r.result]),
    [
      ['P2', 'skipped'],
      ['S9', 'skipped'],
    ],
  )
  assert.match(report.results[0]!.why, /not error objects/)
  assert.match(report.results[1]!.why, /no close\(\) to call/)
})

test('the CLI rejects unknown servers, levels and ids with exit code 2', () => {
  assert.equal(cli('--server', 'nginx').status, 2)
  assert.equal(cli('--server', 'tsgi', '--level', 'Q').status, 2)
  assert.equal(cli('--server', 'tsgi', '--only', 'P999').status, 2)
  assert.equal(cli('--level', 'P').status, 2)
})
