// The primary's side of the services its workers share: a feature that keeps state which must
// outlive any one worker (A2A's finished tasks) or must be routed to the worker that owns it
// (a running task's executor) provides a service here. The primary holds no app, so a feature
// registers its service when its module loads (the same script runs in every role).

import type { Worker } from 'node:cluster'

import { answerOf, decode, encode, isServiceEnvelope, PendingCalls, type ServiceEnvelope } from './wire.ts'

export interface PrimaryService {
  /** Worker `from` asks; what this returns (or throws) goes back to it. */
  call?(from: number, body: unknown): unknown
  /** Worker `from` tells; nothing goes back. */
  notify?(from: number, body: unknown): void
  /** Worker `id` exited (crash, kill, retirement, shutdown): what it held is gone. */
  exited?(id: number): void
}

const services = new Map<string, PrimaryService>()
const workers = new Map<number, { worker: Worker; pending: PendingCalls }>()

/** Registers the primary's half of a feature; a second registration under one name replaces the first. */
export function providePrimaryService(name: string, service: PrimaryService): void {
  services.set(name, service)
}

/** The ids of the workers connected now, oldest first. */
export function connectedWorkers(): number[] {
  return [...workers.keys()]
}

/** Asks worker `id`'s side of `service`; rejects when it has exited or did not answer in time. */
export function callWorker(id: number, service: string, body: unknown): Promise<unknown> {
  const entry = workers.get(id)
  if (entry === undefined) return Promise.reject(new Error(`worker ${id} is gone`))
  const { id: callId, answer } = entry.pending.open(`worker ${id}'s ${service}`)
  send(entry.worker, { tsgi: 'service', kind: 'call', service, id: callId, payload: encode(body) })
  return answer
}

export function notifyWorker(id: number, service: string, body: unknown): void {
  const entry = workers.get(id)
  if (entry !== undefined) send(entry.worker, { tsgi: 'service', kind: 'notify', service, id: 0, payload: encode(body) })
}

/** The pool calls this for every worker it forks. */
export function attachWorker(worker: Worker): void {
  const pending = new PendingCalls()
  workers.set(worker.id, { worker, pending })
  worker.on('message', (message: unknown) => {
    if (!isServiceEnvelope(message)) return
    if (message.kind === 'answer') return pending.settle(message)
    const service = services.get(message.service)
    if (message.kind === 'notify') return service?.notify?.(worker.id, decode(message.payload))
    void answerOf(message.service, message.id, () => {
      if (service?.call === undefined) throw new Error(`the primary has no service '${message.service}'`)
      return service.call(worker.id, decode(message.payload))
    }).then((answer) => send(worker, answer))
  })
}

/** The pool calls this when a worker exited: its calls fail at once, and every service hears of it. */
export function detachWorker(id: number): void {
  const entry = workers.get(id)
  if (entry === undefined) return
  workers.delete(id)
  entry.pending.failAll(`worker ${id} exited`)
  for (const service of services.values()) service.exited?.(id)
}

function send(worker: Worker, message: ServiceEnvelope): void {
  // A worker that just died has no channel; its exit (detachWorker) settles what waits on it.
  if (worker.isConnected()) worker.send(message, () => undefined)
}
