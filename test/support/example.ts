// An example (examples/*.ts) as a user starts it: its own process group under tsx, its output
// kept, waited on by a pattern. A test that fails half-way still kills the whole group, so a
// cluster's workers are never left holding a port or the test file's process open.

import { spawn, type ChildProcess } from 'node:child_process'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

import { sleep } from './observe.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface RunningExample {
  readonly child: ChildProcess
  /** Everything it wrote so far, stdout and stderr interleaved as they arrived. */
  output(): string
  /** How many times `pattern` (a global one counts every match) occurs in the output so far. */
  count(pattern: RegExp): number
  /** The first match of `pattern` in the output, waited for; fails with the output when the time is up or the example exited. */
  until(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Its exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>
}

/** Starts `examples/<name>` with `env` over this process's; killed with its group after the test. */
export function startExample(t: TestContext, name: string, env: Record<string, string>): RunningExample {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  })
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  child.stderr!.on('data', (chunk) => (out += chunk))
  let exited = false
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true
      resolve(code)
    }),
  )
  return {
    child,
    exit,
    output: () => out,
    count: (pattern) => out.match(pattern)?.length ?? 0,
    // Generous by default: an example loads the MCP and A2A SDKs, maybe on a busy machine.
    async until(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const match = out.match(pattern)
        if (match !== null) return match
        if (exited || Date.now() > deadline) throw new Error(`no ${pattern} in the output of examples/${name}:\n${out}`)
        await sleep(20)
      }
    },
  }
}
