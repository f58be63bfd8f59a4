// Readers waiting for a task's next events on this replica: a notification for the task wakes
// them, a LISTEN gap wakes all of them, and each wait also ends by itself after `ms`, so a
// reader re-reads the rows even if every notification were lost.

export interface Wait {
  /** Resolves at the next wake-up of this task, or after `ms`. */
  next(ms: number): Promise<void>
  close(): void
}

export class Wakeups {
  readonly #waiting = new Map<string, Set<() => void>>()

  /** Whether anyone on this replica waits for the task (so a notification is worth a read). */
  has(taskId: string): boolean {
    return this.#waiting.has(taskId)
  }

  wake(taskId: string): void {
    for (const wake of this.#waiting.get(taskId) ?? []) wake()
  }

  wakeAll(): void {
    for (const set of this.#waiting.values()) for (const wake of set) wake()
  }

  watch(taskId: string): Wait {
    let pending: (() => void) | null = null
    // A wake-up that came while the reader was reading still counts for its next wait.
    let woken = false
    const wake = (): void => {
      woken = true
      pending?.()
    }
    const set = this.#waiting.get(taskId) ?? new Set<() => void>()
    this.#waiting.set(taskId, set)
    set.add(wake)
    return {
      next: (ms) =>
        new Promise<void>((resolve) => {
          if (woken) {
            woken = false
            return resolve()
          }
          const timer = setTimeout(done, ms)
          function done(): void {
            clearTimeout(timer)
            pending = null
            woken = false
            resolve()
          }
          pending = done
        }),
      close: () => {
        set.delete(wake)
        if (set.size === 0 && this.#waiting.get(taskId) === set) this.#waiting.delete(taskId)
        pending?.()
      },
    }
  }
}
