// The default event store of a resumable mcpApp: one per session, in memory, bounded. The SDK
// transport stores every SSE message here with an id; a client that lost its stream sends the
// last id it saw (Last-Event-ID) and gets what followed. Past the cap the oldest events go:
// a client that was away that long misses them, and memory stays bounded. The store lives
// and dies with its session, so the session's idle expiry is its expiry too.

import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

interface StoredEvent {
  id: EventId
  streamId: StreamId
  message: JSONRPCMessage
}

/** Events kept per session by default. */
export const DEFAULT_MAX_EVENTS = 100

/**
 * The bounded in-memory event store `resumable: true` gives each session; pass your own
 * factory as `eventStore` to change the bound (or to keep events elsewhere).
 * @example mcpApp({ server, eventStore: () => new MemoryEventStore(500), retryInterval: 1_000 })
 */
export class MemoryEventStore implements EventStore {
  readonly #max: number
  /** Oldest first; ids grow with `#next`, so an id's position is found by its number. */
  readonly #events: StoredEvent[] = []
  #next = 0

  constructor(maxEvents = DEFAULT_MAX_EVENTS) {
    this.#max = maxEvents
  }

  get size(): number {
    return this.#events.length
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    // The stream id is part of the event id, so a replay knows its stream from the id alone.
    const id = `${this.#next++}.${streamId}`
    this.#events.push({ id, streamId, message })
    if (this.#events.length > this.#max) this.#events.shift()
    return id
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const dot = eventId.indexOf('.')
    return dot > 0 ? eventId.slice(dot + 1) : undefined
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? ''
    const after = Number.parseInt(lastEventId, 10)
    for (const event of [...this.#events]) {
      if (event.streamId === streamId && Number.parseInt(event.id, 10) > after) await send(event.id, event.message)
    }
    return streamId
  }
}
