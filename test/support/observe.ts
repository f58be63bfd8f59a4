import diagnostics from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { freePort as claimPort } from '../../conformance/drivers/ports.ts'

import type { Logger } from '../../src/index.ts'
import type { LifecycleTrace } from '../../src/lifecycle/table.ts'

/** Collects every `tsgi:lifecycle` event until `stop()`. */
export function recordLifecycle() {
  const events: LifecycleTrace[] = []
  const listener = (event: unknown) => events.push(event as LifecycleTrace)
  diagnostics.subscribe('tsgi:lifecycle', listener)
  return {
    events,
    /** `step:name:outcome` for every step event, phases as `phase:<name>`. */
    get lines() {
      return events.map((e) => (e.step === 'phase' ? `phase:${e.name}` : `${e.step}:${e.name}:${e.outcome}`))
    },
    stop: () => diagnostics.unsubscribe('tsgi:lifecycle', listener),
  }
}

/** A logger that keeps every line it is given, arguments joined as the console would. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const keep =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(`${level} ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ')}`)
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') }
}

/** What the test process undoes when it exits: the ports it claimed, the folders it made. */
const atExit: Array<() => void> = []
process.once('exit', () => {
  for (const undo of atExit) undo()
})

// The kernel hands the same ephemeral ports to listen(0) and to every outgoing connection,
// so a port found free with listen(0) can be taken by another test file's client before a
// child process, seconds later, binds it (EADDRINUSE in X5 on CI). Ports come from the
// conformance runner's claimed range below the ephemeral one instead.

/** A port no one else is handed, for tests that must know it before a server listens. */
export async function freePort(): Promise<number> {
  const { port, release } = await claimPort()
  atExit.push(release)
  return port
}

/**
 * A fresh directory under the system's temp folder for a child's trace or a flag file, removed
 * when the test process exits: the assertions read it after the child is gone, so not sooner.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  atExit.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether something accepts a TCP connection on `port` now. */
export function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Whether nothing listens on `port` (a connection attempt is refused). */
export async function refused(port: number): Promise<boolean> {
  return !(await tryConnect(port))
}
