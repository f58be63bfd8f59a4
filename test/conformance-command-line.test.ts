// `--command` runs under `sh -c` with its last command exec'd, so the runner's signals reach the
// server itself, and a line that starts with `cd` still runs (a blanket `exec` prefix broke it).

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { execLast } from '../conformance/drivers/command-line.ts'

const run = promisify(execFile)

test('the last command of a line is exec’d; quoted separators, pipelines and an explicit exec are left alone', () => {
  assert.equal(execLast('python3 -m server app:app'), 'exec python3 -m server app:app')
  assert.equal(execLast('cd app && python3 -m server'), 'cd app && exec python3 -m server')
  assert.equal(execLast('cd app; export X=1;node s.js'), 'cd app; export X=1; exec node s.js')
  assert.equal(execLast("node -e 'a && b; c'"), "exec node -e 'a && b; c'")
  assert.equal(execLast('cd app && exec node s.js'), 'cd app && exec node s.js')
  assert.equal(execLast('cd app && node s.js | tee log'), 'cd app && node s.js | tee log')
})

test('a line starting with cd runs, and its server is the very process the runner started', async () => {
  const line = execLast(`cd ${JSON.stringify(tmpdir())} && node -e "console.log(process.pid, process.cwd())"`)
  const child = execFile('/bin/sh', ['-c', line])
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  const code = await new Promise((resolve) => child.once('exit', resolve))
  assert.equal(code, 0)
  const [pid, cwd] = out.trim().split(' ')
  assert.equal(Number(pid), child.pid, 'the shell exec’d the server, so a signal to the started process reaches it')
  assert.equal(cwd, (await run('/bin/sh', ['-c', `cd ${JSON.stringify(tmpdir())} && pwd -P`])).stdout.trim())
})
