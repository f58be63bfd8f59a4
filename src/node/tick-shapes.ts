// Keeps Node's nextTick fast for the life of the process. Node 20's process.nextTick() queues
// each callback as an object literal with two symbol keys, and V8 records the shapes that
// literal goes through only weakly. A full garbage collection that lands while no tick is
// queued, before the hot callers are optimized (a server idle between listen() and its first
// requests), lets those shapes die. The next nextTick() then finds its recorded shapes gone,
// marks the literal's feedback megamorphic, and from then on every nextTick() takes V8's
// runtime path: about 250 ns more each, a quarter more CPU per request in a Fastify process.
// Whether a process falls into it depends on when its first full collection lands, so it
// looked like a random slow state that followed what the process had loaded. One real queue
// entry kept alive keeps its shapes alive, and the feedback stays monomorphic.

import { createHook } from 'node:async_hooks'

/** The queue entry kept alive; null until the first bridge is made. */
let keptEntry: object | null = null
let tried = false

/**
 * Captures one nextTick() queue entry and keeps it for good. Idempotent and cheap (one hook,
 * enabled for one synchronous call): the bridges call it when they are made, before the
 * process has served, which is before the collection that would undo the shapes.
 */
export function keepTickShapes(): void {
  if (tried) return
  tried = true
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') keptEntry ??= resource as object
    },
  })
  hook.enable()
  try {
    process.nextTick(noop)
  } finally {
    hook.disable()
  }
}

/** Whether an entry is held: false where the runtime does not report its ticks as TickObject. */
export function tickShapesKept(): boolean {
  return keptEntry !== null
}

function noop(): void {}
