// One dedicated connection per replica that LISTENs on the channel, reconnecting with backoff.
// PostgreSQL drops a notification sent while no one listens, so every (re)connection is a gap:
// `onGap` runs once LISTEN is back, and its owners re-read the rows they care about. The
// notifications carry ids only (the payload limit is 8,000 bytes; a task's events are not).

import pg from 'pg'
import type { Logger } from '../protocol/types.ts'

const FIRST_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 5_000

export interface ListenerHandlers {
  onMessage(payload: string): void
  /** After a (re)connection: notifications may have been missed, read the rows again. */
  onGap(): void
}

export class Listener {
  readonly #config: pg.ClientConfig
  readonly #channel: string
  readonly #handlers: ListenerHandlers
  readonly #logger: Logger
  #client: pg.Client | null = null
  #stopped = false
  #backoffMs = FIRST_BACKOFF_MS
  #retry: NodeJS.Timeout | undefined
  #connected = false

  constructor(config: pg.ClientConfig, channel: string, handlers: ListenerHandlers, logger: Logger) {
    this.#config = config
    this.#channel = channel
    this.#handlers = handlers
    this.#logger = logger
  }

  /** Whether LISTEN is in force right now. */
  get connected(): boolean {
    return this.#connected
  }

  /** Connects and listens; rejects if the first attempt fails (startup reports it). */
  async start(): Promise<void> {
    await this.#connect()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#retry)
    const client = this.#client
    this.#client = null
    this.#connected = false
    await client?.end().catch(() => undefined)
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config)
    // An error or end on this connection means LISTEN is gone: start over, after a pause.
    client.on('error', () => this.#lost(client))
    client.on('end', () => this.#lost(client))
    client.on('notification', (message) => {
      if (message.channel === this.#channel && message.payload !== undefined) this.#handlers.onMessage(message.payload)
    })
    this.#client = client
    try {
      await client.connect()
      await client.query(`LISTEN ${this.#channel}`)
    } catch (error) {
      this.#lost(client)
      throw error
    }
    if (this.#stopped) return
    this.#connected = true
    this.#backoffMs = FIRST_BACKOFF_MS
    this.#handlers.onGap()
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#stopped) return
    this.#client = null
    this.#connected = false
    void client.end().catch(() => undefined)
    const wait = this.#backoffMs
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS)
    this.#retry = setTimeout(() => {
      this.#connect().catch(() => this.#logger.debug('a2a-postgres: LISTEN connection failed; retrying'))
    }, wait)
    this.#retry.unref()
  }
}
