// A broadcast across the workers of one machine, over the primary's service channel (hub.ts,
// link.ts): a value published in any process reaches the subscribers of the same topic in every
// process. The publisher's own subscribers get it at once, in process; the primary relays it to
// every other worker. Outside a worker (one process, or the primary) it is an in-process
// broadcast, so code that uses it runs the same with `workers` or without.
//
// Values cross a process boundary, so they must survive the channel's serialization (v8's
// structured clone: plain objects, arrays, strings, numbers, booleans, null, bytes, Dates, Maps).
// Delivery is at most once: a worker that is starting, or whose channel just closed, misses
// what was sent meanwhile.

import cluster from 'node:cluster'

import { connectedWorkers, notifyWorker, providePrimaryService } from './hub.ts'
import { answerPrimary, notifyPrimary } from './link.ts'

const SERVICE = 'tsgi:broadcast'

/** One topic's face: publish to every process, subscribe to what any process publishes. */
export interface ClusterBroadcast<T> {
  publish(value: T): void
  /** Registers a listener; returns an idempotent unsubscribe. A listener that throws does not stop the others. */
  subscribe(listener: (value: T) => void): () => void
}

interface Broadcast {
  topic: string
  value: unknown
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
  answerPrimary(SERVICE, { notify: (body) => deliver((body as Broadcast).topic, (body as Broadcast).value) })
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
      // A worker whose primary is gone has no channel (notifyPrimary sends nothing then); its
      // own listeners were served above.
      if (cluster.isWorker) notifyPrimary(SERVICE, { topic, value } satisfies Broadcast)
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

// The primary's half: hands every broadcast a worker sends to every other live worker.
if (cluster.isPrimary) {
  providePrimaryService(SERVICE, {
    notify(from, body) {
      for (const id of connectedWorkers()) if (id !== from) notifyWorker(id, SERVICE, body)
    },
  })
}
