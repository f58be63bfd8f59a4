// Pieces shared by the in-process tsgi harnesses: a logger that keeps what it is told, and
// outcomes read off promises.

import type { Logger } from '../../src/index.ts'
import type { Outcome, Session } from './types.ts'

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const write =
    (level: string) =>
    (...args: unknown[]): void => {
      lines.push(
        `${level} ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : safeJson(a))).join(' ')}`,
      )
    }
  return { logger: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }, lines }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export async function outcomeOf(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    await work()
    return { ok: true }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error), error }
  }
}

/**
 * One in-process session at a time: the lifecycle channel and the process's listeners are
 * shared, so two in-process servers at once would mix their traces.
 */
export class Turnstile {
  #tail: Promise<void> = Promise.resolve()

  enter(): Promise<() => void> {
    let leave!: () => void
    const turn = new Promise<void>((resolve) => (leave = resolve))
    const entered = this.#tail.then(() => leave)
    this.#tail = this.#tail.then(() => turn)
    return entered
  }

  /** Opens a session in its turn and keeps the turn until the session finishes (or fails to open). */
  async session(open: () => Session | Promise<Session>): Promise<Session> {
    const leave = await this.enter()
    try {
      const session = await open()
      const finish = session.finish.bind(session)
      session.finish = () => finish().finally(leave)
      return session
    } catch (error) {
      leave()
      throw error
    }
  }
}
