// Byte plumbing shared by both directions of the fetch bridge: a push stream whose writer
// waits for the reader (back-pressure), and the conversions between fetch chunks and the
// protocol's Uint8Array bodies.

export const EMPTY = new Uint8Array(0)

const encoder = new TextEncoder()

/** A fetch body chunk as the protocol's bytes; streams may legally carry strings or views. */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (typeof chunk === 'string') return encoder.encode(chunk)
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw new TypeError(`a response body chunk must be bytes or a string, got ${chunk === null ? 'null' : typeof chunk}`)
}

/**
 * A ReadableStream fed by `write()`. A write resolves once the reader has room again, so a
 * producer that awaits each write never runs ahead of a slow consumer; a cancelled stream
 * accepts and drops writes, and `onCancel` tells the producer that nobody is reading.
 */
export class PushStream {
  readonly stream: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  #room: (() => void) | null = null
  #done = false

  constructor(onCancel: () => void) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: () => this.#release(),
        cancel: () => {
          this.#done = true
          this.#release()
          onCancel()
        },
      },
      // One chunk of read-ahead: enough to keep a pipe busy, never a buffer of the whole body.
      { highWaterMark: 1 },
    )
  }

  get done(): boolean {
    return this.#done
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) return
    this.#controller.enqueue(chunk)
    if ((this.#controller.desiredSize ?? 0) > 0) return
    await new Promise<void>((resolve) => (this.#room = resolve))
  }

  /** Resolves once the reader took every chunk written so far, or nobody reads any more. */
  taken(): Promise<void> {
    if (this.#done || (this.#controller.desiredSize ?? 0) > 0) return Promise.resolve()
    return new Promise<void>((resolve) => (this.#room = resolve))
  }

  close(): void {
    if (this.#done) return
    this.#done = true
    this.#controller.close()
    this.#release()
  }

  /** Cuts the stream: the reader sees an error, as a socket reset looks to a client. */
  fail(error: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#controller.error(error)
    this.#release()
  }

  #release(): void {
    const room = this.#room
    this.#room = null
    room?.()
  }
}
