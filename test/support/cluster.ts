// Runs test/fixtures/cluster-process.ts as a real machine: a primary in its own process group
// (so a test can signal the whole group, as a terminal's Ctrl-C does, and clean it all up) and
// its workers, reading the JSON lines they all append to one trace file.

import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { scratchDir, sleep } from './observe.ts'

export const clusterFixture = new URL('../fixtures/cluster-process.ts', import.meta.url).pathname

export interface TraceLine {
  event: string
  role: 'primary' | 'worker'
  pid: number
  t: number
  [key: string]: unknown
}

export interface Machine {
  child: ChildProcess
  dir: string
  /** The primary's exit code (128 + n when a signal ended it). */
  exit: Promise<number>
  stderr(): string
  stdout(): string
  events(): TraceLine[]
  /** Waits until some trace line satisfies `match` (default 15 s); returns it. */
  waitFor(match: (line: TraceLine) => boolean, what: string, timeoutMs?: number): Promise<TraceLine>
  /** Count of lines whose event is `event`. */
  count(event: string): number
  /** SIGKILLs the whole process group: the cleanup every test runs, whatever happened. */
  destroy(): void
}

/** How the script is started: node with tsx's loader, or the tsx command (`npx tsx`), a parent relaying signals. */
export type Launcher = 'node' | 'tsx-cli'

export function startMachine(env: Record<string, string>, script = clusterFixture, launcher: Launcher = 'node'): Machine {
  const dir = scratchDir('tsgi-cluster-')
  const traceFile = join(dir, 'trace.jsonl')
  const args = launcher === 'node' ? ['--import', 'tsx', script] : [fileURLToPath(import.meta.resolve('tsx/cli')), script]
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', ...env, TRACE: traceFile },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stderr = ''
  let stdout = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  const exit = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15)))
  })
  const events = (): TraceLine[] => {
    try {
      return readFileSync(traceFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as TraceLine)
    } catch {
      return []
    }
  }
  return {
    child,
    dir,
    exit,
    stderr: () => stderr,
    stdout: () => stdout,
    events,
    count: (event) => events().filter((line) => line.event === event).length,
    async waitFor(match, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const found = events().find(match)
        if (found !== undefined) return found
        await sleep(20)
      }
      throw new Error(
        `no ${what} within ${timeoutMs} ms; trace:\n${events()
          .filter((e) => e.event !== 'tick')
          .map((e) => JSON.stringify(e))
          .join('\n')}\nstderr:\n${stderr}`,
      )
    },
    destroy() {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // The group is gone already.
      }
    },
  }
}

/** Waits for the primary's 'primary ready' line and returns the machine's URL. */
export async function readyUrl(machine: Machine): Promise<string> {
  const ready = await machine.waitFor((line) => line.event === 'primary ready', 'primary ready')
  return ready.url as string
}

/**
 * Whether a process with this pid still runs. A zombie (exited, not yet reaped: an orphan's
 * new parent may reap late) has stopped: it holds no socket and runs no code.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** Pids of the workers the primary forked and has not seen exit, from its cluster events. */
export function liveWorkerPids(machine: Machine): number[] {
  const pids = new Set<number>()
  for (const line of machine.events()) {
    if (line.event === 'cluster fork') pids.add(line.workerPid as number)
    if (line.event === 'cluster exit') pids.delete(line.workerPid as number)
  }
  return [...pids]
}
