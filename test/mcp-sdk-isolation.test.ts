// tsgi/mcp is the v1 SDK's and tsgi/mcp-server the v2 SDK's: a user who installed one never
// loads the other. Each entry is imported in a child process whose module hooks record every
// URL it resolves.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { scratchDir } from './support/observe.ts'

const run = promisify(execFile)
const hooks = new URL('./fixtures/mcp-server/record-loads.ts', import.meta.url).href

async function loadedBy(entry: string): Promise<string[]> {
  const log = join(scratchDir('tsgi-loads-'), 'loads.txt')
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)})`
  const script = `await import(${JSON.stringify(new URL(entry, import.meta.url).href)})`
  await run(
    process.execPath,
    ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', script],
    {
      env: { ...process.env, LOAD_LOG: log },
    },
  )
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

const v1 = /\/@modelcontextprotocol\/sdk\//
const v2 = /\/@modelcontextprotocol\/(server|core)\//

test('tsgi/mcp loads the v1 SDK and never the v2 one; tsgi/mcp-server loads the v2 SDK and never v1', { timeout: 60_000 }, async () => {
  const [mcp, mcpServer] = await Promise.all([loadedBy('../src/mcp/app.ts'), loadedBy('../src/mcp-server/app.ts')])
  assert.ok(
    mcp.some((url) => v1.test(url)),
    'the hooks saw tsgi/mcp load the v1 SDK',
  )
  assert.deepEqual(
    mcp.filter((url) => v2.test(url)),
    [],
  )
  assert.ok(
    mcpServer.some((url) => v2.test(url)),
    'the hooks saw tsgi/mcp-server load the v2 SDK',
  )
  assert.deepEqual(
    mcpServer.filter((url) => v1.test(url)),
    [],
  )
})
