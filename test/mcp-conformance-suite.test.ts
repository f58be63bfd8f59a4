// The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.10), every server
// scenario, against our everything server hosted by mcpApp with the hardening on (capped and
// expiring sessions, allowed hosts, CORS, resumable streams). Every check must pass: 42 in
// all, as the SDK's own Express hosting scores.

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
const suiteCli = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js')

interface Check {
  id: string
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED'
  errorMessage?: string
}

test('the official MCP conformance suite passes every server check against mcpApp with the hardening on', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'))
  const server = spawn(process.execPath, ['--import', 'tsx', hostScript], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = ''
      const timer = setTimeout(() => reject(new Error('the everything server did not start within 20 s')), 20_000)
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
    const suite = spawn(process.execPath, [suiteCli, 'server', '--url', url, '--suite', 'all', '-o', out], { stdio: 'ignore' })
    const timer = setTimeout(() => suite.kill('SIGKILL'), 45_000)
    await new Promise((resolve) => suite.once('exit', resolve))
    clearTimeout(timer)

    const checks = new Map<string, Check[]>()
    for (const dir of readdirSync(out)) {
      const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT.*$/, '')
      checks.set(scenario, JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Check[])
    }
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
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    const force = setTimeout(() => server.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(force)
    rmSync(out, { recursive: true, force: true })
  }
})
