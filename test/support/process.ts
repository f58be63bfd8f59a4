// Runs a fixture script as a real child process (node + tsx), with real signals, and reads
// what it wrote to its trace file: the way close-with-grace tests itself.

import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { scratchDir, sleep, tryConnect } from './observe.ts'

export interface Running {
  child: ChildProcess
  port: number
  url: string
  /** Resolves with the exit code (or 128 + signal number when killed), once. */
  exit: Promise<number>
  stderr(): string
  stdout(): string
  /** The trace events written so far, in order. */
  events(): Array<{ event: string; t: number }>
}

export function startFixture(script: string, env: Record<string, string>, port: number): Running {
  const dir = scratchDir('tsgi-x-')
  const traceFile = join(dir, 'trace.jsonl')
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, PORT: String(port), TRACE: traceFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let stdout = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  const exit = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)))
  })
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    exit,
    stderr: () => stderr,
    stdout: () => stdout,
    events() {
      try {
        return readFileSync(traceFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { event: string; t: number })
      } catch {
        return []
      }
    },
  }
}

/** Waits until the port accepts a connection (readiness is a TCP connect), or the process ends. */
export async function waitForPort(running: Running, timeoutMs = 10_000): Promise<void> {
  let exited = false
  void running.exit.then(() => (exited = true))
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !exited) {
    if (await tryConnect(running.port)) return
    await sleep(20)
  }
  throw new Error(`the fixture never listened (exited: ${exited}); stderr:\n${running.stderr()}`)
}

/** Waits until the trace holds `event`. */
export async function waitForEvent(running: Running, event: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (running.events().some((e) => e.event === event)) return
    await sleep(10)
  }
  throw new Error(`no '${event}' in the trace: ${JSON.stringify(running.events())}\nstderr:\n${running.stderr()}`)
}
