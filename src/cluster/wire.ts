// The envelope of service traffic between the primary and its workers, over node:cluster's IPC
// channel (never a port: only the processes of this server hold that channel). Payloads are
// v8-serialised, so a task's bytes (Uint8Array parts), Dates and Maps cross intact under the
// cluster's default JSON serialisation, without changing the serialisation of the app's own
// worker.send() traffic. `tsgi: 'service'` keeps this apart from the lifecycle vocabulary.

import { deserialize, serialize } from 'node:v8'

export type ServiceEnvelope =
  /** Asks `service` something; an 'answer' with the same id comes back. */
  | { tsgi: 'service'; kind: 'call'; service: string; id: number; payload: string }
  /** One way: nothing comes back. */
  | { tsgi: 'service'; kind: 'notify'; service: string; id: 0; payload: string }
  /** The answer to call `id`: a payload, or `error` (a sentence for logs, never for clients). */
  | { tsgi: 'service'; kind: 'answer'; service: string; id: number; payload: string; error?: string }

export function encode(value: unknown): string {
  return serialize(value).toString('base64')
}

export function decode(payload: string): unknown {
  return deserialize(Buffer.from(payload, 'base64'))
}

export function isServiceEnvelope(value: unknown): value is ServiceEnvelope {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Partial<ServiceEnvelope>
  return (
    message.tsgi === 'service' &&
    (message.kind === 'call' || message.kind === 'notify' || message.kind === 'answer') &&
    typeof message.service === 'string' &&
    typeof message.id === 'number' &&
    typeof message.payload === 'string'
  )
}

/** How long a call waits for its answer: the other side may be busy, never this slow unless stuck. */
export const CALL_TIMEOUT_MS = 10_000

/** One side's calls awaiting their answers, each bounded by CALL_TIMEOUT_MS. */
export class PendingCalls {
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>()
  #next = 1

  /** A new call id, and the promise its answer settles. */
  open(what: string): { id: number; answer: Promise<unknown> } {
    const id = this.#next++
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${what}: no answer within ${CALL_TIMEOUT_MS} ms`))
      }, CALL_TIMEOUT_MS)
      timer.unref()
      this.#pending.set(id, { resolve, reject, timer })
    })
    return { id, answer }
  }

  settle(envelope: ServiceEnvelope): void {
    const entry = this.#pending.get(envelope.id)
    if (entry === undefined) return
    this.#pending.delete(envelope.id)
    clearTimeout(entry.timer)
    if (envelope.kind === 'answer' && envelope.error !== undefined) entry.reject(new Error(envelope.error))
    else entry.resolve(decode(envelope.payload))
  }

  /** The other side is gone: every call waiting on it fails now, not at its timeout. */
  failAll(why: string): void {
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id)
      clearTimeout(entry.timer)
      entry.reject(new Error(why))
    }
  }
}

/** Runs a handler and turns its outcome into the answer envelope. */
export async function answerOf(service: string, id: number, run: () => unknown): Promise<ServiceEnvelope> {
  try {
    return { tsgi: 'service', kind: 'answer', service, id, payload: encode(await run()) }
  } catch (error) {
    const error_ = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { tsgi: 'service', kind: 'answer', service, id, payload: encode(null), error: error_ }
  }
}
