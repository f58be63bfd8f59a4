// A worker's side of the primary's services (hub.ts): calls to the primary, and the handlers
// the primary calls back (a running task lives in one worker; a request for it may land in
// another, and the primary routes it here). Only workers that tsgi's serve() forked have a
// primary with services: `TSGI_CLUSTER_DIR` in their environment says so.

import cluster from 'node:cluster'

import { answerOf, encode, decode, isServiceEnvelope, PendingCalls, type ServiceEnvelope } from './wire.ts'

/** Set by the primary on the workers it forks: the private folder its workers share. */
export const CLUSTER_DIR_ENV = 'TSGI_CLUSTER_DIR'

export interface WorkerService {
  call?(body: unknown): unknown
  notify?(body: unknown): void
}

const handlers = new Map<string, WorkerService>()
const pending = new PendingCalls()
let listening = false

/** Whether this process is a worker of tsgi's serve({ workers }), with the primary's services. */
export function inTsgiCluster(): boolean {
  return cluster.isWorker && typeof process.env[CLUSTER_DIR_ENV] === 'string' && process.connected
}

/** The private folder (mode 0700, made by the primary) this machine's workers share; null outside a cluster. */
export function clusterDir(): string | null {
  return cluster.isWorker ? (process.env[CLUSTER_DIR_ENV] ?? null) : null
}

export function callPrimary(service: string, body: unknown): Promise<unknown> {
  listen()
  if (!process.connected) return Promise.reject(new Error('the primary is gone'))
  const { id, answer } = pending.open(`the primary's ${service}`)
  send({ tsgi: 'service', kind: 'call', service, id, payload: encode(body) })
  return answer
}

export function notifyPrimary(service: string, body: unknown): void {
  listen()
  send({ tsgi: 'service', kind: 'notify', service, id: 0, payload: encode(body) })
}

/** Registers this worker's handlers for what the primary sends under `service`. */
export function answerPrimary(service: string, handler: WorkerService): void {
  handlers.set(service, handler)
  listen()
}

function listen(): void {
  if (listening || !cluster.isWorker) return
  listening = true
  process.on('message', (message: unknown) => {
    if (!isServiceEnvelope(message)) return
    if (message.kind === 'answer') return pending.settle(message)
    const handler = handlers.get(message.service)
    if (message.kind === 'notify') return handler?.notify?.(decode(message.payload))
    void answerOf(message.service, message.id, () => {
      if (handler?.call === undefined) throw new Error(`worker ${process.pid} has no service '${message.service}'`)
      return handler.call(decode(message.payload))
    }).then(send)
  })
  process.once('disconnect', () => pending.failAll('the primary is gone'))
}

function send(message: ServiceEnvelope): void {
  if (process.connected) process.send!(message, undefined, undefined, () => undefined)
}
