// How long each part of a startup and of a shutdown took, as a tree a person can read (what
// avvio's prettyPrint shows for Fastify's plugins). The tree follows the lifespan managers: each
// one times its app under its parent's current node, and nested routers nest because each
// child router's fan-out runs inside its own manager's frame. Frames travel on the lifespan
// scope (a WeakMap, so the public scope type stays as it is), never through async context: the
// request path pays nothing for them.

import type { LifespanScope, Logger } from '../protocol/types.ts'

/** One timed part: its name (a step, a mount path, a hook), its milliseconds, what ran inside it. */
export interface TimingNode {
  name: string
  ms: number
  children: TimingNode[]
}

/** The startup tree, and the shutdown tree once a shutdown ran (null before). */
export interface Timings {
  startup: TimingNode
  shutdown: TimingNode | null
}

function node(name: string): TimingNode {
  return { name, ms: 0, children: [] }
}

/** Milliseconds to the hundredth: finer is noise, coarser hides the fast steps. */
function elapsedSince(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100
}

/**
 * Where one app's timed parts go: its startup node while it starts, then (once its shutdown
 * begins) its shutdown node. The app's own code keeps the same frame across both phases.
 */
export class TimingFrame {
  #current: TimingNode
  #stopping = false

  constructor(current: TimingNode) {
    this.#current = current
  }

  get current(): TimingNode {
    return this.#current
  }

  /** Whether the frame has moved on to its shutdown node. */
  get stopping(): boolean {
    return this.#stopping
  }

  /** From now on, parts go under `next` (the app's shutdown node). */
  moveTo(next: TimingNode): void {
    this.#current = next
    this.#stopping = true
  }

  /** A child frame with its own node under the current one, timed while `work` runs. */
  async child<T>(name: string, work: (frame: TimingFrame) => Promise<T>): Promise<T> {
    const part = node(name)
    this.#current.children.push(part)
    const start = performance.now()
    try {
      return await work(new TimingFrame(part))
    } finally {
      part.ms = elapsedSince(start)
    }
  }

  /** A leaf (or a part whose insides are not followed), timed while `work` runs. */
  time<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.child(name, () => work())
  }

  /** Hangs a tree timed elsewhere (a cluster worker's own startup) under the current node. */
  adopt(part: TimingNode): void {
    this.#current.children.push(part)
  }

  /** Times `work` as the shutdown of the app `frame` belongs to, moving that frame under this one's current node. */
  async shutdownOf<T>(frame: TimingFrame, name: string, work: () => Promise<T>): Promise<T> {
    // A shutdown inside a startup is a rollback: say so, or it reads as a second start.
    const part = node(this.#stopping ? name : `${name} (rollback)`)
    this.#current.children.push(part)
    frame.moveTo(part)
    const start = performance.now()
    try {
      return await work()
    } finally {
      part.ms = elapsedSince(start)
    }
  }
}

/**
 * The root of a host's trees: startup from the host's first moment, shutdown from close().
 * Given a logger (`logTimings: true`), it draws each tree there once the tree is complete.
 */
export class TimingRecorder {
  readonly #startup = node('startup')
  #shutdown: TimingNode | null = null
  readonly #since: number
  readonly #logger: Logger | null
  #shutdownSince = 0
  readonly frame = new TimingFrame(this.#startup)

  constructor(since = performance.now(), logger: Logger | null = null) {
    this.#since = since
    this.#logger = logger
  }

  /** Startup is over (listening, or failed): its root's time is fixed. */
  startupDone(): void {
    this.#startup.ms = elapsedSince(this.#since)
    this.#logger?.info(`tsgi: timings\n${drawTimings(this.#startup)}`)
  }

  /** The shutdown begins: the root frame's parts go to the shutdown tree from now on. */
  shutdownBegins(): void {
    this.#shutdown = node('shutdown')
    this.#shutdownSince = performance.now()
    this.frame.moveTo(this.#shutdown)
  }

  shutdownDone(): void {
    if (this.#shutdown === null) return
    this.#shutdown.ms = elapsedSince(this.#shutdownSince)
    this.#logger?.info(`tsgi: timings\n${drawTimings(this.#shutdown)}`)
  }

  get timings(): Timings {
    return { startup: this.#startup, shutdown: this.#shutdown }
  }
}

/** The frame a lifespan scope's app runs in, if a host is timing it. */
const frames = new WeakMap<LifespanScope, TimingFrame>()

export function frameOf(scope: LifespanScope): TimingFrame | undefined {
  return frames.get(scope)
}

export function setFrame(scope: LifespanScope, frame: TimingFrame): void {
  frames.set(scope, frame)
}

/** The tree as avvio's prettyPrint draws it: one line per node, its milliseconds beside it. */
export function drawTimings(root: TimingNode): string {
  const lines = [`${root.name} ${root.ms} ms`]
  const walk = (children: TimingNode[], indent: string): void => {
    children.forEach((child, i) => {
      const last = i === children.length - 1
      lines.push(`${indent}${last ? '└── ' : '├── '}${child.name} ${child.ms} ms`)
      walk(child.children, indent + (last ? '    ' : '│   '))
    })
  }
  walk(root.children, '')
  return lines.join('\n')
}
