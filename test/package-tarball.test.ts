// The package as a user gets it: `npm pack`, installed into an empty project, every subpath
// imported by Node and type-checked by TypeScript, and the conformance CLI run from it.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '..')
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
const entries = ['tsgi', 'tsgi/mcp', 'tsgi/a2a', 'tsgi/agent']
let project = ''

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'tsgi-tarball-'))
  await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repo, timeout: 120_000 })
  const [tarball] = (await readdir(project)).filter((f) => f.endsWith('.tgz'))
  assert.ok(tarball !== undefined, 'npm pack wrote no tarball')
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'tarball-user', private: true, type: 'module' }))
  // The optional peers come from the registry (or npm's cache), as they would for a user.
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`, '@modelcontextprotocol/sdk@1', '@a2a-js/sdk@1', 'zod@3'],
    { cwd: project, timeout: 180_000 },
  )
})

after(async () => {
  if (project !== '') await rm(project, { recursive: true, force: true })
})

test('every subpath of the installed tarball imports in Node and exports its functions', async () => {
  const probe = `for (const s of ${JSON.stringify(entries)}) { const m = await import(s); console.log(s + ' ' + Object.keys(m).sort().join(',')) }`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: project, timeout: 30_000 })
  const exported = new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  )
  assert.deepEqual([...exported.keys()], entries)
  assert.match(exported.get('tsgi')!, /(^|,)serve(,|$)/)
  assert.match(exported.get('tsgi')!, /(^|,)router(,|$)/)
  assert.equal(exported.get('tsgi/mcp'), 'MemoryEventStore,mcpApp')
  assert.match(exported.get('tsgi/a2a')!, /(^|,)a2aApp(,|$)/)
  assert.match(exported.get('tsgi/agent')!, /(^|,)agent(,|$)/)
})

test('every subpath of the installed tarball type-checks in a NodeNext project', async () => {
  const source = [
    "import { serve, router, mount, type App, type ServeOptions } from 'tsgi'",
    "import { mcpApp, type McpAppOptions } from 'tsgi/mcp'",
    "import { a2aApp, type A2aAppOptions } from 'tsgi/a2a'",
    "import { agent, type AgentOptions } from 'tsgi/agent'",
    'const app: App = router([mount("/x", async () => {})])',
    'const options: ServeOptions = { port: 0 }',
    'export const used = [serve, app, options, mcpApp, a2aApp, agent] as const',
    'export type Used = [McpAppOptions, A2aAppOptions, AgentOptions]',
  ].join('\n')
  await writeFile(join(project, 'use.ts'), `${source}\n`)
  const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022']
  const checked = await run(process.execPath, [tsc, ...flags, '--skipLibCheck', 'use.ts'], { cwd: project, timeout: 60_000 }).catch(
    (error: { stdout: string }) => error,
  )
  assert.equal(checked.stdout, '', 'the user project does not type-check against the tarball')
})

test('npx tsgi-conformance --server tsgi from the installed tarball passes every scenario', async () => {
  const { stdout } = await run('npx', ['--no-install', 'tsgi-conformance', '--server', 'tsgi'], { cwd: project, timeout: 120_000 })
  const summary = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(stdout)
  assert.ok(summary !== null, `no summary line in:\n${stdout.slice(-2000)}`)
  assert.ok(Number(summary[1]) >= 122, `only ${summary[1]} scenarios passed`)
  assert.equal(summary[2], '0')
  assert.equal(summary[3], '0')
})

test('a project with only the v2 MCP SDK (no v1) imports tsgi/mcp-server and type-checks', async () => {
  const v2only = await mkdtemp(join(tmpdir(), 'tsgi-tarball-v2-'))
  try {
    const [tarball] = (await readdir(project)).filter((f) => f.endsWith('.tgz'))
    await writeFile(join(v2only, 'package.json'), JSON.stringify({ name: 'tarball-user-v2', private: true, type: 'module' }))
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(project, tarball!), '@modelcontextprotocol/server@2'],
      {
        cwd: v2only,
        timeout: 180_000,
      },
    )
    await assert.rejects(
      run(process.execPath, ['--input-type=module', '-e', "await import('@modelcontextprotocol/sdk/types.js')"], { cwd: v2only }),
    )
    const probe = "const m = await import('tsgi/mcp-server'); console.log(Object.keys(m).sort().join(','))"
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: v2only, timeout: 30_000 })
    assert.equal(stdout.trim(), 'REQUEST_STATE_KEY_ENV,mcpServerApp')
    const source = [
      "import { McpServer } from '@modelcontextprotocol/server'",
      "import { mcpServerApp, type McpServerApp, type McpServerAppOptions } from 'tsgi/mcp-server'",
      "import { mount, router } from 'tsgi'",
      'const options: McpServerAppOptions = { server: ({ requestState }) => new McpServer({ name: "x", version: "1" }, { requestState: { verify: requestState.verify } }) }',
      'const mcp: McpServerApp = mcpServerApp(options)',
      'mcp.notify.toolsChanged()',
      'export const app = router([mount("/mcp", mcp)])',
    ].join('\n')
    await writeFile(join(v2only, 'use.ts'), `${source}\n`)
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022']
    const checked = await run(process.execPath, [tsc, ...flags, '--skipLibCheck', 'use.ts'], { cwd: v2only, timeout: 60_000 }).catch(
      (error: { stdout: string }) => error,
    )
    assert.equal(checked.stdout, '', 'the v2-only project does not type-check against the tarball')
  } finally {
    await rm(v2only, { recursive: true, force: true })
  }
})
