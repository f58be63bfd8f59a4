// The primary's workers: forks them into their slots, admits each once it reports ready,
// restarts crashed ones with the backoff, replaces them one at a time on reload, and stops
// them all on shutdown. table.ts decides what each worker event means in each mode; this
// class performs it.

import cluster from 'node:cluster'

import type { TimingFrame, TimingNode } from '../lifespan/timings.ts'
import { ServerClosedError } from '../protocol/errors.ts'
import type { Logger } from '../protocol/types.ts'
import type { ServeConfig } from '../serve/options.ts'
import { CrashBackoff } from './backoff.ts'
import { workerStartBudgetMs, workerStopBudgetMs } from './budget.ts'
import { publishCluster, type ClusterTrace } from './channel.ts'
import { attachWorker, detachWorker } from './hub.ts'
import { CLUSTER_DIR_ENV } from './link.ts'
import { describeExit, Member, type Exit, type WorkerInfo } from './member.ts'
import type { PrimaryMessage } from './messages.ts'
import type { ClusterConfig } from './options.ts'
import { privateDir } from './private-dir.ts'
import { rollingReload, type ReloadSlots } from './reload.ts'
import { PrimaryModeMachine, type PrimaryMode, type WorkerEvent } from './table.ts'

export class WorkerPool {
  /** Called when crashes passed restart.maxCrashes: the primary shuts the whole server down. */
  onGiveUp: () => void = () => undefined
  readonly #config: ClusterConfig
  readonly #serve: ServeConfig
  readonly #since: number
  readonly #logger: Logger
  readonly #modes = new PrimaryModeMachine()
  readonly #backoff: CrashBackoff
  /** Every live worker process, by node:cluster id. */
  readonly #members = new Map<number, Member>()
  /** The worker serving (or starting for) each slot; null while a crashed one waits for its restart. */
  readonly #slots: Array<Member | null>
  readonly #restarts: Array<NodeJS.Timeout | undefined>
  #port: number | null = null
  #readyCount = 0
  #boot: { resolve: () => void; reject: (error: Error) => void } | null = null
  /** The boot's frame: each worker's startup tree goes under it as the worker reports ready. */
  #bootTiming: TimingFrame | null = null
  #reloading: Promise<void> | null = null

  constructor(config: ClusterConfig, serve: ServeConfig, since: number) {
    this.#config = config
    this.#serve = serve
    this.#since = since
    this.#logger = serve.logger
    this.#backoff = new CrashBackoff(config.restart)
    this.#slots = Array.from({ length: config.workers }, () => null)
    this.#restarts = Array.from({ length: config.workers }, () => undefined)
  }

  get mode(): PrimaryMode {
    return this.#modes.mode
  }

  get url(): string {
    if (this.#port === null) return ''
    const host = this.#serve.host.includes(':') ? `[${this.#serve.host}]` : this.#serve.host
    return `${this.#serve.transport.tls === null ? 'http' : 'https'}://${host}:${this.#port}`
  }

  get workers(): WorkerInfo[] {
    return [...this.#members.values()].map((member) => member.info)
  }

  get alive(): number {
    return this.#members.size
  }

  /** Forks every worker; resolves once all are ready, or stops them all and rejects. */
  async boot(timing: TimingFrame | null = null): Promise<void> {
    this.#bootTiming = timing
    const booted = new Promise<void>((resolve, reject) => (this.#boot = { resolve, reject }))
    for (let slot = 0; slot < this.#config.workers; slot++) this.#slots[slot] = this.#fork(slot, false)
    try {
      await booted
    } catch (error) {
      await this.#stopAll()
      this.#modes.apply('all-exited')
      throw error
    } finally {
      this.#bootTiming = null
    }
  }

  /** Replaces every worker, one slot at a time; joins a reload already running. */
  reload(): Promise<void> {
    if (this.#reloading !== null) return this.#reloading
    if (this.mode !== 'serving') {
      return Promise.reject(new ServerClosedError(`reload() needs a serving cluster; it is ${this.mode}`))
    }
    this.#modes.apply('reload')
    const slots: ReloadSlots = {
      count: this.#config.workers,
      stillReloading: () => this.mode === 'reloading',
      current: (slot) => this.#slots[slot] ?? null,
      replace: (slot) => this.#fork(slot, true),
      publish: (slot, step) => this.#publish('reload', null, slot === null ? { step } : { slot, step }),
    }
    this.#reloading = rollingReload(slots).finally(() => {
      this.#reloading = null
      if (this.mode === 'reloading') this.#modes.apply('reload-done')
    })
    return this.#reloading
  }

  /** Asks every worker to stop and waits for each; rejects when one did not stop cleanly. */
  async shutdown(timing: TimingFrame | null = null): Promise<'ok'> {
    if (this.mode === 'stopped') return 'ok'
    if (this.mode !== 'stopping') this.#modes.apply('close')
    const unclean = await this.#stopAll(timing)
    this.#modes.apply('all-exited')
    if (unclean.length > 0) throw new Error(`workers that did not stop cleanly: ${unclean.join(', ')}`)
    return 'ok'
  }

  /** The last resort when the primary exits at once: no worker may outlive it unasked. */
  killAll(): void {
    for (const member of this.#members.values()) member.kill()
  }

  #fork(slot: number, replacement: boolean): Member {
    const member = new Member(cluster.fork({ [CLUSTER_DIR_ENV]: privateDir() }), slot, replacement)
    this.#members.set(member.id, member)
    attachWorker(member.worker)
    this.#publish('fork', member)
    member.onMessage((message) => {
      if (message.type === 'ready') this.#onReady(member, message.port, message.timings)
      else this.#onEvent(member, 'startup-failed', message.message)
    })
    member.worker.on('error', (error) => this.#logger.error(`tsgi: worker ${member.id} reported an error`, error))
    void member.exited.then((exit) => this.#onExit(member, exit))
    return member
  }

  #onReady(member: Member, port: number, timings: TimingNode | undefined): void {
    if (this.#bootTiming !== null && timings !== undefined) {
      this.#bootTiming.adopt({ name: `worker ${member.id} (pid ${member.pid})`, ms: timings.ms, children: timings.children })
    }
    // Every worker listens with the same options, so node:cluster shares one handle among them,
    // port 0 included; only when all of them had closed it would a port-0 machine move.
    this.#port = port
    this.#publish('ready', member)
    // One already asked to stop (a restart whose slot a reload filled first) stops once it can.
    if (member.asked) member.markReady()
    else this.#onEvent(member, 'ready', null)
  }

  #onExit(member: Member, exit: Exit): void {
    this.#members.delete(member.id)
    // Before anything else: what the worker owned (its running tasks) is marked lost at once.
    detachWorker(member.id)
    this.#publish('exit', member, { code: exit.code, signal: exit.signal, asked: member.asked })
    const event: WorkerEvent = member.asked
      ? 'exit-asked'
      : member.replacement && member.phase === 'starting'
        ? 'replacement-crash'
        : 'crash'
    const error = member.startupError(exit)
    member.failReady(error)
    this.#onEvent(member, event, null, exit, error)
  }

  #onEvent(member: Member, event: WorkerEvent, failure: string | null, exit?: Exit, error?: Error): void {
    switch (this.#modes.action(event)) {
      case 'count-ready':
        this.#admit(member)
        if (++this.#readyCount === this.#config.workers) {
          this.#modes.apply('all-ready')
          this.#boot?.resolve()
        }
        return
      case 'admit':
        this.#admit(member)
        return
      case 'stop-it':
        member.markReady()
        this.#ask(member, { tsgi: 'cluster', type: 'shutdown' })
        return
      case 'note-failure':
        member.failure = failure
        return
      case 'fail-boot':
        member.failure ??= failure
        this.#modes.apply('boot-failed')
        this.#failBoot(error ?? member.startupError(null))
        return
      case 'restart':
        this.#restart(member, exit!)
        return
      case 'abort-replacement':
      case 'forget':
        return
    }
  }

  #failBoot(error: Error): void {
    this.#logger.error(`tsgi: ${error.message}; stopping the other workers, restarting none`)
    this.#boot?.reject(error)
  }

  /** Takes a ready worker into its slot; the one it replaces (a reload's) retires. */
  #admit(member: Member): void {
    member.markReady()
    member.watchUptime(this.#config.restart.windowMs, () => this.#backoff.stayedUp(member.slot))
    const previous = this.#slots[member.slot] ?? null
    this.#slots[member.slot] = member
    clearTimeout(this.#restarts[member.slot])
    this.#restarts[member.slot] = undefined
    if (previous !== null && previous !== member)
      this.#ask(previous, { tsgi: 'cluster', type: 'retire', graceMs: this.#config.reloadGraceMs })
  }

  #restart(member: Member, exit: Exit): void {
    if (this.#slots[member.slot] !== member) return
    this.#slots[member.slot] = null
    const delayMs = this.#backoff.crashed(member.slot, performance.now())
    const { maxCrashes, windowMs } = this.#config.restart
    if (delayMs === null) {
      this.#publish('give-up', member)
      this.#logger.error(`tsgi: more than ${maxCrashes} worker crashes within ${windowMs} ms (restart.maxCrashes); shutting down`)
      this.onGiveUp()
      return
    }
    this.#publish('restart', member, { delayMs })
    this.#logger.warn(`tsgi: worker ${member.id} (pid ${member.pid}) exited unasked (${describeExit(exit)}); restarting in ${delayMs} ms`)
    this.#restarts[member.slot] = setTimeout(() => {
      this.#restarts[member.slot] = undefined
      const serving = this.mode === 'serving' || this.mode === 'reloading'
      if (serving && this.#slots[member.slot] === null) this.#slots[member.slot] = this.#fork(member.slot, false)
    }, delayMs)
  }

  #ask(member: Member, message: PrimaryMessage): void {
    const delayMs = message.type === 'retire' ? message.graceMs : this.#serve.shutdownDelayMs
    const budgetMs = workerStopBudgetMs(this.#serve, delayMs) + (member.phase === 'starting' ? workerStartBudgetMs(this.#serve) : 0)
    member.ask(message, budgetMs, () => {
      this.#logger.warn(`tsgi: worker ${member.id} (pid ${member.pid}) passed its stop budget of ${budgetMs} ms; killing it`)
    })
  }

  /** Asks every live worker to stop; resolves with the ones that did not stop cleanly. */
  async #stopAll(timing: TimingFrame | null = null): Promise<string[]> {
    for (const timer of this.#restarts) clearTimeout(timer)
    const members = [...this.#members.values()]
    for (const member of members) this.#ask(member, { tsgi: 'cluster', type: 'shutdown' })
    // Each worker's stop, from the ask to its exit, as the primary sees it.
    const exitOf = (member: Member) => member.exited
    const stopped = (member: Member) =>
      timing === null ? exitOf(member) : timing.time(`worker ${member.id} (pid ${member.pid})`, () => exitOf(member))
    const exits = await Promise.all(members.map(async (member) => ({ member, exit: await stopped(member) })))
    return exits
      .filter(({ exit }) => exit.code !== 0 || exit.signal !== null)
      .map(({ member, exit }) => `worker ${member.id} (pid ${member.pid}, ${describeExit(exit)})`)
  }

  #publish(event: ClusterTrace['event'], member: Member | null, extra: Partial<ClusterTrace> = {}): void {
    publishCluster(this.#since, {
      event,
      worker: member?.id ?? 0,
      pid: member?.pid ?? process.pid,
      slot: member?.slot ?? -1,
      ...extra,
    })
  }
}
