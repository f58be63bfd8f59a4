// The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.10), every server
// scenario, against our everything server hosted by mcpApp with the hardening on (capped and
// expiring sessions, allowed hosts, CORS, resumable streams). Every check must pass: 42 in
// all, as the SDK's own Express hosting scores. Then the same suite under serve({ workers: 2 })
// with every request on a fresh connection, so a session's requests land on both workers (the
// owner answers, the other relays): sampling, elicitation, SSE polling and several streams
// included, every scenario's checks must come out as they did on one process.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const hostScript = fileURLToPath(new URL('./fixtures/everything/host.ts', import.meta.url))
const require = createRequire(import.meta.url)
const freshConnections = fileURLToPath(new URL('./fixtures/fresh-connections.mjs', import.meta.url))
const suiteCli = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js')

interface Check {
  id: string
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED'
  errorMessage?: string
}

/** Each scenario's checks, by scenario name; and how many requests each worker relayed. */
type Results = Map<string, Check[]> & { relayed?: number[] }

/** Starts the everything server (WORKERS=n), runs the whole suite against it, returns the checks. */
async function runSuite(workers: number, fresh: boolean): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'))
  const server = spawn(process.execPath, ['--import', 'tsx', hostScript], {
    env: { ...process.env, WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: the primary and its workers go together, whatever happens.
    detached: true,
  })
  let text = ''
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the everything server did not start within 30 s')), 30_000)
      server.stdout!.on('data', (chunk) => {
        text += chunk
        const line = text.split('\n').find((l) => l.startsWith('{'))
        if (line !== undefined) {
          clearTimeout(timer)
          resolve((JSON.parse(line) as { url: string }).url)
        }
      })
      server.once('exit', (code) => reject(new Error(`the everything server exited with ${code}`)))
    })
    const env = fresh ? { ...process.env, NODE_OPTIONS: `--import ${freshConnections}` } : process.env
    const suite = spawn(process.execPath, [suiteCli, 'server', '--url', url, '--suite', 'all', '-o', out], { env, stdio: 'ignore' })
    const timer = setTimeout(() => suite.kill('SIGKILL'), 45_000)
    await new Promise((resolve) => suite.once('exit', resolve))
    clearTimeout(timer)

    const checks: Results = new Map()
    for (const dir of readdirSync(out)) {
      const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT.*$/, '')
      checks.set(scenario, JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Check[])
    }
    await stop(server)
    checks.relayed = text
      .split('\n')
      .filter((line) => line.startsWith('{"worker"'))
      .map((line) => (JSON.parse(line) as { relayed: number }).relayed)
    return checks
  } finally {
    await stop(server)
    rmSync(out, { recursive: true, force: true })
  }
}

/** SIGTERM to the server's process group (primary and workers), SIGKILL after 5 s. */
async function stop(server: ReturnType<typeof spawn>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise((resolve) => server.once('exit', resolve))
  process.kill(-server.pid!, 'SIGTERM')
  const force = setTimeout(() => process.kill(-server.pid!, 'SIGKILL'), 5_000)
  await exited
  clearTimeout(force)
}

/** What a scenario came to: each scored check's id and status, in order (INFO lines are the suite's log). */
function outcome(checks: Check[]): string[] {
  return checks.filter((c) => c.status !== 'INFO').map((c) => `${c.id}: ${c.status}`)
}

// Both runs at once: each mostly waits (on its servers' boot, on the suite's pauses), so
// together they take little more wall time than one.
const runs = { oneProcess: runSuite(1, false), workers: runSuite(2, true) }
// Read by the tests below; a run that fails is reported there, not as an unhandled rejection here.
runs.oneProcess.catch(() => undefined)
runs.workers.catch(() => undefined)

test('the official MCP conformance suite passes every server check against mcpApp with the hardening on', { timeout: 60_000 }, async () => {
  const checks = await runs.oneProcess
  const all = [...checks.values()].flat()
  const failures = all.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`)
  const passed = all.filter((c) => c.status === 'SUCCESS').length
  const warnings = all.filter((c) => c.status === 'WARNING').map((c) => c.id)
  console.log(
    `conformance: ${checks.size} scenarios, ${passed} passed, ${failures.length} failed, warnings: ${warnings.join(', ') || 'none'}`,
  )
  assert.equal(checks.size, 31, `scenarios run: ${[...checks.keys()].join(', ')}`)
  assert.deepEqual(failures, [])
  assert.equal(passed, 42)
})

test('under workers: 2, every request on a fresh connection, every scenario (sampling, elicitation, SSE streams) comes out as on one process', {
  timeout: 60_000,
}, async (t) => {
  const oneProcess = await runs.oneProcess
  const checks = await runs.workers
  const passed = [...checks.values()].flat().filter((c) => c.status === 'SUCCESS').length
  t.diagnostic(`conformance under workers: 2: ${checks.size} scenarios, ${passed} checks passed`)
  assert.deepEqual([...checks.keys()].toSorted(), [...oneProcess.keys()].toSorted())
  for (const [scenario, expected] of oneProcess) {
    assert.deepEqual(outcome(checks.get(scenario)!), outcome(expected), `scenario ${scenario}`)
  }
  // Relayed for real: each worker took requests for sessions the other owns.
  t.diagnostic(`requests relayed by each worker: ${checks.relayed?.join(', ')}`)
  assert.equal(checks.relayed?.length, 2, 'both workers reported')
  assert.ok(
    checks.relayed.every((n) => n > 0),
    `relayed: ${checks.relayed.join(', ')}`,
  )
})
