// A broadcast across the workers of one machine, over node:cluster's IPC channel: a value
// published in any process reaches the subscribers of the same topic in every process. The
// publisher's own subscribers get it at once, in process; the primary relays it to every other
// worker. Outside a worker (one process, or the primary) it is an in-process broadcast, so code
// that uses it runs the same with `workers` or without.
//
// Values cross a process boundary, so they must survive the IPC channel's serialization (JSON
// by default: plain objects, arrays, strings, numbers, booleans, null). Delivery is at most
// once: a worker that is starting, or whose channel just closed, misses what was sent meanwhile.

import cluster, { type Worker } from 'node:cluster'

/** One topic's face: publish to every process, subscribe to what any process publishes. */
export interface ClusterBroadcast<T> {
  publish(value: T): void
  /** Registers a listener; returns an idempotent unsubscribe. A listener that throws does not stop the others. */
  subscribe(listener: (value: T) => void): () => void
}

interface BroadcastMessage {
  tsgi: 'broadcast'
  topic: string
  value: unknown
}

function isBroadcast(value: unknown): value is BroadcastMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Partial<BroadcastMessage>
  return message.tsgi === 'broadcast' && typeof message.topic === 'string'
}

/** This process's listeners, by topic. */
const topics = new Map<string, Set<(value: unknown) => void>>()
let listeningToPrimary = false

function deliver(topic: string, value: unknown): void {
  const listeners = topics.get(topic)
  if (listeners === undefined) return
  for (const listener of [...listeners]) {
    try {
      listener(value)
    } catch {
      // One listener's failure is its own; the others still hear the value.
    }
  }
}

function listenToPrimary(): void {
  if (listeningToPrimary || !cluster.isWorker) return
  listeningToPrimary = true
  process.on('message', (message: unknown) => {
    if (isBroadcast(message)) deliver(message.topic, message.value)
  })
}

/**
 * The broadcast of one topic. Every process that uses the same topic name joins the same
 * broadcast; pick names that say whose they are (`'mcp-server:events:0'`).
 * @example
 * const cacheFlush = clusterBroadcast<{ key: string }>('my-app:cache-flush')
 * cacheFlush.subscribe(({ key }) => cache.delete(key))
 * cacheFlush.publish({ key: 'user:42' })   // every worker's cache forgets it
 */
export function clusterBroadcast<T>(topic: string): ClusterBroadcast<T> {
  return {
    publish(value) {
      deliver(topic, value)
      // A worker whose primary is gone has no channel; its own listeners were served above.
      if (cluster.isWorker && process.connected) {
        const message: BroadcastMessage = { tsgi: 'broadcast', topic, value }
        process.send!(message, undefined, undefined, () => undefined)
      }
    },
    subscribe(listener) {
      listenToPrimary()
      const listeners = topics.get(topic) ?? new Set<(value: unknown) => void>()
      topics.set(topic, listeners)
      const own = listener as (value: unknown) => void
      listeners.add(own)
      return () => {
        listeners.delete(own)
        if (listeners.size === 0 && topics.get(topic) === listeners) topics.delete(topic)
      }
    },
  }
}

/**
 * The primary's half: hands every broadcast a worker sends to every other live worker. Returns
 * the function that stops relaying. serve({ workers }) installs it in the primary.
 */
export function relayBroadcasts(): () => void {
  const relay = (from: Worker, message: unknown): void => {
    if (!isBroadcast(message)) return
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker === undefined || worker === from || !worker.isConnected()) continue
      worker.send(message, () => undefined)
    }
  }
  cluster.on('message', relay)
  return () => cluster.off('message', relay)
}
