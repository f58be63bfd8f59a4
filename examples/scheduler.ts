// The background work the examples tie to a server's life, and the one declaration that types it
// in every `state` (hooks, lifespan functions, scopes, MCP tools, A2A executors) without a cast.
// In your project the module is 'tsgi': `declare module 'tsgi' { interface State { ... } }`.

declare module '../src/index.ts' {
  interface State {
    scheduler: Scheduler
  }
}

/** Ticks every `everyMs`; stop() waits for a tick in progress, so nothing runs after it resolves. */
export class Scheduler {
  ticks = 0
  #timer: NodeJS.Timeout | undefined
  #inProgress: Promise<void> = Promise.resolve()

  constructor(readonly everyMs: number) {}

  start(): this {
    this.#timer = setInterval(() => {
      this.#inProgress = this.#tick()
    }, this.everyMs)
    return this
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#inProgress
  }

  async #tick(): Promise<void> {
    this.ticks++
  }
}
